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

    /// <summary>A local folder or <c>s3://bucket/prefix</c> for artifacts; default <c>&lt;home&gt;/artifacts</c>.</summary>
    public string? ArtifactsDestination { get; set; }

    public string ResolveHome() =>
        !string.IsNullOrEmpty(Home) ? Path.GetFullPath(Home)
        : Environment.GetEnvironmentVariable("MLOPS_HOME") is { Length: > 0 } env ? Path.GetFullPath(env)
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mlops");

    public string ResolveBackendStoreUri() =>
        !string.IsNullOrEmpty(BackendStoreUri) ? BackendStoreUri : "sqlite:///" + Path.Combine(ResolveHome(), "mlops.db");

    /// <summary>The full path of the local artifact folder, or the <c>s3://</c> URI as given (checked when the store is built).</summary>
    public string ResolveArtifactsDestination()
    {
        var destination = !string.IsNullOrEmpty(ArtifactsDestination) ? ArtifactsDestination : Path.Combine(ResolveHome(), "artifacts");
        if (Artifacts.S3ArtifactRoot.IsS3Uri(destination))
        {
            return destination;
        }

        if (destination.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            destination = new Uri(destination).LocalPath;
        }
        else if (destination.Contains("://", StringComparison.Ordinal))
        {
            throw new Domain.Common.MlopsException(Domain.Common.ErrorKind.InvalidArgument,
                $"Unsupported artifacts destination '{destination}': use a local folder or s3://bucket/prefix.");
        }

        return Path.GetFullPath(destination);
    }
}
