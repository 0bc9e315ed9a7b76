using Mlops.Domain.Artifacts;
using Mlops.Domain.Models;

namespace Mlops.Application.Ports;

/// <summary>What registration learned from a model folder's MLmodel descriptor.</summary>
/// <param name="MlModelSha256">Hash of the MLmodel file itself, kept by the registry so a rewritten descriptor is caught at load time.</param>
/// <param name="ContentHashesVerified">False when MLmodel lists no content hashes (for example a model logged by MLflow's Python client).</param>
public sealed record ModelPackageInfo(string MlModelSha256, IReadOnlyList<string> Flavors, int FileCount, bool ContentHashesVerified);

/// <summary>Reads and checks a model package stored as artifacts, streaming every file through its hash.</summary>
public interface IModelPackageInspector
{
    /// <summary>
    /// Null when the folder has no MLmodel. Raises InvalidArgument when MLmodel is malformed, or a file it lists
    /// is missing, outside the folder or differs from its recorded hash.
    /// </summary>
    Task<ModelPackageInfo?> InspectAsync(ArtifactPath folder, CancellationToken cancellationToken);

    /// <summary>The signature recorded in a package's MLmodel, without checking file hashes; null when there is none.</summary>
    Task<ModelSignature?> ReadSignatureAsync(ArtifactPath folder, CancellationToken cancellationToken);
}
