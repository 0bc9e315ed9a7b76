namespace Mlops.Infrastructure;

/// <summary>
/// Where Mlops keeps its data. Every value has a default under the data directory
/// (<c>MLOPS_HOME</c>, default <c>~/.mlops</c>), so a fresh machine needs no configuration.
/// </summary>
public sealed class MlopsStorageOptions
{
    public string? Home { get; set; }

    /// <summary><c>sqlite:///path</c> or <c>postgresql://...</c>; default <c>sqlite:///&lt;home&gt;/mlops.db</c>.</summary>
    public string? BackendStoreUri { get; set; }

    /// <summary>A local folder for artifacts; default <c>&lt;home&gt;/artifacts</c>.</summary>
    public string? ArtifactsDestination { get; set; }

    public string ResolveHome() =>
        !string.IsNullOrEmpty(Home) ? Path.GetFullPath(Home)
        : Environment.GetEnvironmentVariable("MLOPS_HOME") is { Length: > 0 } env ? Path.GetFullPath(env)
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mlops");

    public string ResolveBackendStoreUri() =>
        !string.IsNullOrEmpty(BackendStoreUri) ? BackendStoreUri : "sqlite:///" + Path.Combine(ResolveHome(), "mlops.db");

    public string ResolveArtifactsDestination()
    {
        var destination = !string.IsNullOrEmpty(ArtifactsDestination) ? ArtifactsDestination : Path.Combine(ResolveHome(), "artifacts");
        if (destination.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            destination = new Uri(destination).LocalPath;
        }
        else if (destination.Contains("://", StringComparison.Ordinal))
        {
            throw new Domain.Common.MlopsException(Domain.Common.ErrorKind.InvalidArgument,
                $"Unsupported artifacts destination '{destination}': only local folders are supported in this version.");
        }

        return Path.GetFullPath(destination);
    }
}
