using System.Security.Cryptography;
using System.Text;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Models;

namespace Mlops.Infrastructure.Models;

/// <summary>
/// A model package is a folder of files plus an MLmodel descriptor that lists the sha256 of every other file.
/// <see cref="Seal"/> records the hashes; <see cref="Verify"/> checks them, and a loader calls it before any model
/// file reaches a deserializer. MLmodel cannot hash itself: callers that must detect a rewritten MLmodel keep its
/// <see cref="HashFile"/> value elsewhere (the registry) and pass it to <see cref="Verify"/>.
/// </summary>
public static class ModelPackage
{
    public static ModelDescriptor Seal(string folder, ModelDescriptor draft)
    {
        var root = RootOf(folder);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in EnumerateFiles(root))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative == ModelDescriptor.FileName)
            {
                continue;
            }

            CheckRelativePath(relative);
            hashes[relative] = HashFile(file);
        }

        var sealedDescriptor = draft with { FileHashes = new Dictionary<string, string>(hashes, StringComparer.Ordinal) };
        CheckReferencedFiles(sealedDescriptor);

        // Write beside and rename, so a reader never sees half an MLmodel.
        var target = Path.Combine(root, ModelDescriptor.FileName);
        var temporary = Path.Combine(root, $".{ModelDescriptor.FileName}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, MlModelFile.Write(sealedDescriptor), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, target, overwrite: true);
        return sealedDescriptor;
    }

    /// <summary>
    /// Reads MLmodel and checks that every file it lists exists inside the folder with the recorded hash.
    /// With <paramref name="expectedMlModelSha256"/>, MLmodel itself must also have that hash.
    /// </summary>
    public static ModelDescriptor Verify(string folder, string? expectedMlModelSha256 = null)
    {
        var root = RootOf(folder);
        var descriptorPath = Path.Combine(root, ModelDescriptor.FileName);
        if (!File.Exists(descriptorPath))
        {
            throw MlopsException.Invalid($"{ModelDescriptor.FileName}: not found in '{folder}'; the folder is not a model package.");
        }

        CheckNotLink(root, ModelDescriptor.FileName);
        if (new FileInfo(descriptorPath).Length > MlModelFile.MaxLength)
        {
            throw MlopsException.Invalid($"{ModelDescriptor.FileName}: larger than {MlModelFile.MaxLength} bytes.");
        }

        // Hash and parse the same bytes, so what was checked is what is read.
        var bytes = File.ReadAllBytes(descriptorPath);
        if (expectedMlModelSha256 is not null)
        {
            CheckHash(ModelDescriptor.FileName, expectedMlModelSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw MlopsException.Invalid($"{ModelDescriptor.FileName}: not UTF-8 text.");
        }

        var descriptor = MlModelFile.Read(text.TrimStart('\uFEFF'));
        if (descriptor.FileHashes.Count == 0)
        {
            throw MlopsException.Invalid($"{ModelDescriptor.FileName}: no file hashes (mlops.file_hashes); the package was not sealed, so its files cannot be trusted.");
        }

        foreach (var (relative, expected) in descriptor.FileHashes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var full = ResolveListed(root, relative);
            CheckHash(relative, expected, HashFile(full));
        }

        CheckReferencedFiles(descriptor);
        return descriptor;
    }

    /// <summary>
    /// Opens a file of a verified package and checks its hash again on the open handle, so a file swapped in after
    /// <see cref="Verify"/> is caught and the deserializer reads the handle that was checked. The stream is at position 0.
    /// </summary>
    public static FileStream OpenVerified(string folder, ModelDescriptor descriptor, string relativePath)
    {
        var root = RootOf(folder);
        if (!descriptor.FileHashes.TryGetValue(relativePath, out var expected))
        {
            throw MlopsException.Invalid($"{relativePath}: not listed in {ModelDescriptor.FileName}'s file hashes, so it cannot be trusted.");
        }

        var stream = new FileStream(ResolveListed(root, relativePath), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        try
        {
            CheckHash(relativePath, expected, Convert.ToHexStringLower(SHA256.HashData(stream)));
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The lowercase sha256 hex of a file, streamed.</summary>
    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string RootOf(string folder)
    {
        var root = Path.GetFullPath(folder);
        return Directory.Exists(root) ? Path.TrimEndingDirectorySeparator(root) : throw MlopsException.NotFound($"Model package folder '{folder}' does not exist.");
    }

    private static IEnumerable<string> EnumerateFiles(string root)
    {
        // Our own walk instead of a recursive enumeration, so a symbolic link is refused rather than followed out of the folder.
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    throw MlopsException.Invalid($"{Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/')}: symbolic links are not allowed in a model package.");
                }

                if (entry is DirectoryInfo)
                {
                    pending.Push(entry.FullName);
                }
                else
                {
                    yield return entry.FullName;
                }
            }
        }
    }

    private static string ResolveListed(string root, string relative)
    {
        CheckRelativePath(relative);
        if (relative == ModelDescriptor.FileName)
        {
            throw MlopsException.Invalid($"{relative}: MLmodel cannot be listed in its own file hashes.");
        }

        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw MlopsException.Invalid($"{relative}: the path escapes the package folder.");
        }

        if (!File.Exists(full))
        {
            throw MlopsException.Invalid($"{relative}: listed in {ModelDescriptor.FileName} but missing from the package.");
        }

        CheckNotLink(root, relative);
        return full;
    }

    private static void CheckRelativePath(string relative)
    {
        ArtifactPath parsed;
        try
        {
            parsed = ArtifactPath.Parse(relative);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            throw MlopsException.Invalid($"{relative}: the path escapes the package folder or is not a valid relative path ({e.Message.TrimEnd('.')}).");
        }

        if (parsed.Value != relative)
        {
            throw MlopsException.Invalid($"{relative}: not a normalised relative path.");
        }
    }

    private static void CheckNotLink(string root, string relative)
    {
        var current = root;
        foreach (var segment in relative.Split('/'))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                throw MlopsException.Invalid($"{relative}: symbolic links are not allowed in a model package.");
            }
        }
    }

    private static void CheckHash(string relative, string expected, string actual)
    {
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw MlopsException.Invalid($"{relative}: content hash mismatch, expected {expected} got {actual}.");
        }
    }

    private static void CheckReferencedFiles(ModelDescriptor descriptor)
    {
        // The files a loader will open must be covered by the hashes, or a loader could be pointed at an unchecked file.
        var referenced = new List<string>();
        if (descriptor.InputExampleFile is { } example)
        {
            referenced.Add(example);
        }

        if (descriptor.Flavors.TryGetValue(ModelFlavor.MlNet, out var mlnet) && mlnet.GetProperty(ModelFlavor.MlNetModelFileKey) is { } modelFile)
        {
            referenced.Add(modelFile);
        }

        if (descriptor.Flavors.TryGetValue(ModelFlavor.Onnx, out var onnx) && onnx.GetProperty(ModelFlavor.OnnxModelKey) is { } onnxFile)
        {
            referenced.Add(onnxFile);
        }

        var unlisted = referenced.FirstOrDefault(f => !descriptor.FileHashes.ContainsKey(f));
        if (unlisted is not null)
        {
            throw MlopsException.Invalid($"{unlisted}: named in {ModelDescriptor.FileName} but not in the package's file hashes.");
        }
    }
}
