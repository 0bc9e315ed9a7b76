using Mlops.Domain.Common;

namespace Mlops.Domain.Artifacts;

/// <summary>
/// Artifact locations are always <c>mlflow-artifacts:/&lt;relative path&gt;</c> under the server's artifact root,
/// so clients never need a shared disk and no experiment can point the server at an arbitrary local path or URL.
/// </summary>
public static class ArtifactUri
{
    public const string Scheme = "mlflow-artifacts:";

    public static string ForPath(ArtifactPath path) => Scheme + "/" + path.Value;

    public static string ForExperiment(string experimentId) => ForPath(ArtifactPath.Parse(experimentId));

    public static string ForRun(string experimentArtifactLocation, string runId) =>
        ForPath(ToPath(experimentArtifactLocation).Combine(ArtifactPath.Parse(runId + "/artifacts")));

    /// <summary>Parses <c>mlflow-artifacts:/a/b</c>, <c>mlflow-artifacts:///a/b</c> or <c>mlflow-artifacts://host/a/b</c> into its path.</summary>
    public static ArtifactPath ToPath(string uri)
    {
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw MlopsException.Invalid($"Unsupported artifact location '{uri}': only {Scheme}/<path> locations served by this server are allowed.");
        }

        var rest = uri[Scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }

        return ArtifactPath.Parse(rest.TrimStart('/'));
    }
}
