namespace Mlops.Web.Tests.Support;

/// <summary>The repository's root folder, found from the test binary upwards (for samples/data).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Mlops.slnx not found above " + AppContext.BaseDirectory);
    }
}
