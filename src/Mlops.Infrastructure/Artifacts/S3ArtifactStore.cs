using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// Artifacts as objects under one key prefix of an S3 bucket (AWS S3 or an S3-compatible server). Folders are
/// key prefixes, as S3 has no folders; the store keeps the local store's rules anyway (no file where a folder is,
/// no folder below a file) so that a listing never shows one name as both. Those checks and the write are separate
/// requests: two clients racing on the same name can still create both, which only the listing then reveals.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore
{
    // S3's limit for one DeleteObjects request.
    private const int DeleteBatchSize = 1000;

    private readonly IAmazonS3 _s3;
    private readonly S3ArtifactRoot _root;
    private readonly S3ObjectUploader _uploader;

    public S3ArtifactStore(IAmazonS3 s3, S3ArtifactRoot root, int partSize = S3ObjectUploader.DefaultPartSize, ILogger<S3ArtifactStore>? logger = null)
    {
        _s3 = s3;
        _root = root;
        _uploader = new S3ObjectUploader(s3, partSize, logger ?? (ILogger)NullLogger.Instance);
    }

    public S3ArtifactRoot Root => _root;

    public async Task WriteAsync(ArtifactPath path, Stream content, CancellationToken cancellationToken)
    {
        if (path.IsRoot || await AnyKeyUnderAsync(path, cancellationToken))
        {
            throw ArtifactErrors.FolderInTheWay(path);
        }

        var segments = path.Segments.ToArray();
        for (var i = 1; i < segments.Length; i++)
        {
            var ancestor = string.Join('/', segments[..i]);
            if (await ExistsAsync(ArtifactPath.Parse(ancestor), cancellationToken))
            {
                throw ArtifactErrors.FileInTheWay(path, ancestor);
            }
        }

        await _uploader.UploadAsync(_root.Bucket, _root.KeyOf(path), content, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            throw ArtifactErrors.Missing(path);
        }

        try
        {
            // The response body streams from the connection; disposing the stream releases it.
            var response = await _s3.GetObjectAsync(_root.Bucket, _root.KeyOf(path), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw ArtifactErrors.Missing(path);
        }
    }

    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        var prefix = _root.FolderPrefixOf(folder);
        var entries = new List<ArtifactEntry>();
        var request = new ListObjectsV2Request { BucketName = _root.Bucket, Prefix = prefix, Delimiter = "/" };
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var sub in page.CommonPrefixes ?? [])
            {
                if (ChildPath(folder, sub[prefix.Length..^1]) is { } child)
                {
                    entries.Add(new ArtifactEntry(child, true, null));
                }
            }

            foreach (var item in page.S3Objects ?? [])
            {
                if (ChildPath(folder, item.Key[prefix.Length..]) is { } child)
                {
                    entries.Add(new ArtifactEntry(child, false, item.Size ?? 0));
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    public async Task DeleteAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            throw ArtifactErrors.DeleteRoot();
        }

        if (await ExistsAsync(path, cancellationToken))
        {
            await _s3.DeleteObjectAsync(_root.Bucket, _root.KeyOf(path), cancellationToken);
            return;
        }

        if (await DeleteFolderAsync(path, cancellationToken) == 0)
        {
            throw ArtifactErrors.Missing(path);
        }
    }

    /// <summary>
    /// A listed name becomes an entry only if it is a valid artifact path segment: keys written by other tools
    /// ("a//b", "..", names with '?' or '#') would otherwise yield paths this store refuses to open, or worse,
    /// paths that callers joining them onto a local folder would misread.
    /// </summary>
    private static string? ChildPath(ArtifactPath folder, string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return folder.Combine(ArtifactPath.Parse(name)).Value;
        }
        catch (MlopsException)
        {
            return null;
        }
    }

    private async Task<bool> ExistsAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_root.Bucket, _root.KeyOf(path), cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
    }

    private async Task<bool> AnyKeyUnderAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        var page = await _s3.ListObjectsV2Async(
            new ListObjectsV2Request { BucketName = _root.Bucket, Prefix = _root.FolderPrefixOf(folder), MaxKeys = 1 }, cancellationToken);
        return page.S3Objects is { Count: > 0 };
    }

    /// <summary>Deletes every key below the folder, a page at a time; returns how many there were.</summary>
    private async Task<int> DeleteFolderAsync(ArtifactPath folder, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _root.Bucket, Prefix = _root.FolderPrefixOf(folder), MaxKeys = DeleteBatchSize };
        var deleted = 0;
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, cancellationToken);
            if (page.S3Objects is { Count: > 0 } objects)
            {
                var response = await _s3.DeleteObjectsAsync(
                    new DeleteObjectsRequest { BucketName = _root.Bucket, Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList() },
                    cancellationToken);
                if (response.DeleteErrors is { Count: > 0 } errors)
                {
                    throw new IOException($"Could not delete {errors.Count} object(s) under '{folder}', first: {errors[0].Key} ({errors[0].Code}: {errors[0].Message}).");
                }

                deleted += objects.Count;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return deleted;
    }
}
