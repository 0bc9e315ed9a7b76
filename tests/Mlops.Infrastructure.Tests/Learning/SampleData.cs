namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>Finds the datasets shipped in samples/data from wherever the test assembly runs.</summary>
public static class SampleData
{
    public static string PathOf(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return Path.Combine(directory.FullName, "samples", "data", fileName);
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }
}
