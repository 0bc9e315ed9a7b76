using System.Security.Cryptography;
using System.Text;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Models;

namespace Mlops.Infrastructure.Models;

/// <summary>Checks a model package where it is stored, through the artifact store (local disk today, S3 later).</summary>
public sealed class ArtifactModelPackageInspector(IArtifactStore artifacts) : IModelPackageInspector
{
    public async Task<ModelSignature?> ReadSignatureAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        var bytes = await ReadDescriptorAsync(folder, cancellationToken);
        return bytes is null ? null : MlModelFile.Read(Encoding.UTF8.GetString(bytes)).Signature;
    }

    public async Task<ModelPackageInfo?> InspectAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        if (await ReadDescriptorAsync(folder, cancellationToken) is not { } descriptorBytes)
        {
            return null;
        }

        var descriptor = MlModelFile.Read(Encoding.UTF8.GetString(descriptorBytes));
        foreach (var (relative, expected) in descriptor.FileHashes)
        {
            var path = folder.Combine(ArtifactPath.Parse(relative));
            string actual;
            try
            {
                await using var stream = await artifacts.OpenReadAsync(path, cancellationToken);
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.NotFound)
            {
                throw MlopsException.Invalid($"{relative}: listed in MLmodel but missing from the model folder.");
            }

            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw MlopsException.Invalid($"{relative}: content hash mismatch, expected {expected}, got {actual}. The model files were changed after the package was sealed.");
            }
        }

        return new ModelPackageInfo(Convert.ToHexStringLower(SHA256.HashData(descriptorBytes)), descriptor.Flavors.Keys.Order(StringComparer.Ordinal).ToList(),
            descriptor.FileHashes.Count, descriptor.FileHashes.Count > 0);
    }

    private async Task<byte[]?> ReadDescriptorAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await artifacts.OpenReadAsync(folder.Combine(ArtifactPath.Parse(ModelDescriptor.FileName)), cancellationToken);
            return await ReadLimitedAsync(stream, MlModelFile.MaxLength, cancellationToken);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.NotFound)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw MlopsException.Invalid($"MLmodel: larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
