using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// The errors every artifact store gives for the same mistake, so a client sees one message whichever
/// store the server runs on (and the shared contract tests can assert on them).
/// </summary>
internal static class ArtifactErrors
{
    public static MlopsException Missing(ArtifactPath path) => MlopsException.NotFound($"Artifact '{path}' does not exist.");

    public static MlopsException DeleteRoot() => MlopsException.Invalid("Refusing to delete the artifact root.");

    public static MlopsException FolderInTheWay(ArtifactPath path) =>
        MlopsException.Invalid($"Cannot write artifact '{path}': a folder with that name exists.");

    public static MlopsException FileInTheWay(ArtifactPath path, string ancestor) =>
        MlopsException.Invalid($"Cannot write artifact '{path}': '{ancestor}' is a file, not a folder.");
}
