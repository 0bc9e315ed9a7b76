using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// Artifacts in a folder on the local disk. Every path is checked twice: lexically by <see cref="ArtifactPath"/>
/// and physically here, where no existing component of the path may be a symbolic link (a link planted inside
/// the root could otherwise point anywhere).
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private const string TempPrefix = ".mlops-upload-";
    private const int BufferSize = 1 << 20;
    private readonly string _root;

    public LocalArtifactStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public async Task WriteAsync(ArtifactPath path, Stream content, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        var folder = Path.GetDirectoryName(target)!;
        if (Directory.Exists(target))
        {
            throw ArtifactErrors.FolderInTheWay(path);
        }

        CreateFolders(path);
        var temp = Path.Combine(folder, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, BufferSize, cancellationToken);
            }

            // A rename is atomic: readers see the old file or the new one, never a half-written one.
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception)
        {
            // A failed or cancelled upload leaves nothing behind; the previous file, if any, is untouched.
            File.Delete(temp);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        var target = Resolve(path);
        if (!File.Exists(target))
        {
            throw ArtifactErrors.Missing(path);
        }

        Stream stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Task.FromResult(stream);
    }

    public Task<IReadOnlyList<ArtifactEntry>> ListAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        var target = Resolve(folder);
        if (!Directory.Exists(target))
        {
            return Task.FromResult<IReadOnlyList<ArtifactEntry>>([]);
        }

        var entries = new List<ArtifactEntry>();
        foreach (var info in new DirectoryInfo(target).EnumerateFileSystemInfos())
        {
            if (info.Name.StartsWith(TempPrefix, StringComparison.Ordinal) || info.LinkTarget is not null)
            {
                continue;
            }

            var relative = folder.IsRoot ? info.Name : folder.Value + "/" + info.Name;
            entries.Add(info is FileInfo file ? new ArtifactEntry(relative, false, file.Length) : new ArtifactEntry(relative, true, null));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return Task.FromResult<IReadOnlyList<ArtifactEntry>>(entries);
    }

    public Task DeleteAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            throw ArtifactErrors.DeleteRoot();
        }

        var target = Resolve(path);
        if (File.Exists(target))
        {
            File.Delete(target);
        }
        else if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        else
        {
            throw ArtifactErrors.Missing(path);
        }

        return Task.CompletedTask;
    }

    private string Resolve(ArtifactPath path)
    {
        var current = _root;
        foreach (var segment in path.Segments)
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if ((info.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    throw MlopsException.Invalid($"Invalid artifact path '{path}': it passes through a symbolic link.");
                }
            }
        }

        var full = Path.GetFullPath(current);
        if (full != _root && !full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw MlopsException.Invalid($"Invalid artifact path '{path}': it resolves outside the artifact root.");
        }

        return full;
    }

    private void CreateFolders(ArtifactPath path)
    {
        var current = _root;
        var segments = path.Segments.ToArray();
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Combine(current, segments[i]);
            if (File.Exists(current))
            {
                throw ArtifactErrors.FileInTheWay(path, string.Join('/', segments[..(i + 1)]));
            }

            Directory.CreateDirectory(current);
        }
    }
}
