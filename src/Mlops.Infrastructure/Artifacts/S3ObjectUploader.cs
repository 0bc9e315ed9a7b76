using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// Streams a body of unknown length into one S3 object while holding at most one part in memory. A body that fits
/// in one part is a single PUT; a larger one is a multipart upload, which S3 publishes only on completion, so a
/// failed or cancelled upload is aborted and never becomes visible (the previous object, if any, stays).
/// </summary>
public sealed class S3ObjectUploader(IAmazonS3 s3, int partSize, ILogger logger)
{
    /// <summary>S3's smallest part except the last one.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>8 MiB parts reach about 80 GB within S3's 10,000-part limit, for 8 MiB of memory per upload.</summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    private const int MaxParts = 10_000;

    private readonly int _partSize = partSize >= MinPartSize ? partSize
        : throw new ArgumentOutOfRangeException(nameof(partSize), partSize, $"S3 parts are at least {MinPartSize} bytes.");

    public async Task UploadAsync(string bucket, string key, Stream content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        try
        {
            var length = await FillAsync(content, buffer, cancellationToken);
            if (length < _partSize)
            {
                await PutAsync(bucket, key, buffer, length, cancellationToken);
                return;
            }

            await UploadPartsAsync(bucket, key, content, buffer, length, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PutAsync(string bucket, string key, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        await s3.PutObjectAsync(
            new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false },
            cancellationToken);
    }

    private async Task UploadPartsAsync(string bucket, string key, Stream content, byte[] buffer, int firstLength, CancellationToken cancellationToken)
    {
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var length = firstLength;
            while (length > 0)
            {
                if (parts.Count == MaxParts)
                {
                    throw MlopsException.Invalid($"Artifact '{key}' is larger than S3 allows with {_partSize}-byte parts ({MaxParts} parts).");
                }

                using var body = new MemoryStream(buffer, 0, length, writable: false);
                var part = await s3.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = parts.Count + 1,
                        InputStream = body,
                        PartSize = length,
                        UseChunkEncoding = false,
                    },
                    cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                length = await FillAsync(content, buffer, cancellationToken);
            }

            await s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts },
                cancellationToken);
        }
        catch (Exception)
        {
            await AbortAsync(bucket, key, upload.UploadId);
            throw;
        }
    }

    private async Task AbortAsync(string bucket, string key, string uploadId)
    {
        try
        {
            // Not the caller's token: a cancelled upload must still release its parts.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, timeout.Token);
        }
        catch (Exception e) when (e is AmazonS3Exception or Amazon.Runtime.AmazonClientException or OperationCanceledException or HttpRequestException)
        {
            // The object was never published, so readers are safe; only stored parts remain, which a bucket
            // lifecycle rule (AbortIncompleteMultipartUpload) removes. The original failure is what the caller needs.
            logger.LogWarning(e, "Could not abort multipart upload {UploadId} of s3://{Bucket}/{Key}; its parts stay until the bucket's lifecycle rule removes them.", uploadId, bucket, key);
        }
    }

    /// <summary>Reads until the buffer is full or the body ends; returns the byte count (0 at the end).</summary>
    private async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < _partSize && (read = await content.ReadAsync(buffer.AsMemory(filled, _partSize - filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }
}
