using Mlops.Domain.Artifacts;

namespace Mlops.Application.Ports;

/// <summary>
/// Bytes of artifacts under one root. Paths are <see cref="ArtifactPath"/>s (already confined); adapters
/// must additionally refuse anything that resolves outside the root (symbolic links).
/// Reads and writes stream: no adapter holds a whole file in memory.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Writes (or replaces) a file atomically: readers see the old or the new content, never a partial one.</summary>
    Task WriteAsync(ArtifactPath path, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a file for reading; a missing file or a folder raises NotFound.</summary>
    Task<Stream> OpenReadAsync(ArtifactPath path, CancellationToken cancellationToken);

    /// <summary>Lists the direct children of a folder, sorted by name; a missing folder lists as empty.</summary>
    Task<IReadOnlyList<ArtifactEntry>> ListAsync(ArtifactPath folder, CancellationToken cancellationToken);

    /// <summary>Deletes a file or a folder with its content; a missing path raises NotFound, the root InvalidArgument.</summary>
    Task DeleteAsync(ArtifactPath path, CancellationToken cancellationToken);
}
