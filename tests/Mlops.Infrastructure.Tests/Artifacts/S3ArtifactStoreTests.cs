using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// The artifact contract on a real S3-compatible server (s3rver), plus what only S3 has: multipart uploads and keys
/// written by other tools. Parts are 5 MiB, S3's minimum, so the contract's multi-megabyte files go through
/// multipart upload.
/// </summary>
[RequiresS3rver]
public sealed class S3ArtifactStoreTests(S3rverFixture s3) : ArtifactStoreContract, IClassFixture<S3rverFixture>
{
    private const int PartSize = S3ObjectUploader.MinPartSize;

    // Each test has its own parent prefix; the store's root is "<parent>/root".
    private readonly string _parent = "t-" + Guid.NewGuid().ToString("N");

    private string RootPrefix => _parent + "/root/";

    protected override IArtifactStore CreateStore() =>
        new S3ArtifactStore(s3.Client, S3ArtifactRoot.Parse($"s3://{S3rverFixture.Bucket}/{_parent}/root"), PartSize);

    protected override Task PlantBesideRootAsync(string name, string content) => s3.PutAsync(_parent + "/" + name, content);

    protected override async Task<IReadOnlyList<string>> ReadBesideRootAsync()
    {
        var files = new List<string>();
        foreach (var key in await s3.KeysUnderAsync(_parent + "/"))
        {
            if (!key.StartsWith("root/", StringComparison.Ordinal))
            {
                files.Add(key + ": " + await s3.GetAsync(_parent + "/" + key));
            }
        }

        return files;
    }

    protected override Task<IReadOnlyList<string>> StoredUnderRootAsync() => s3.KeysUnderAsync(RootPrefix);

    [StoreFact]
    public async Task A_20_MB_file_is_uploaded_as_four_5_MB_parts()
    {
        using var client = RecordingClient(out var requests);
        var store = new S3ArtifactStore(client, S3ArtifactRoot.Parse($"s3://{S3rverFixture.Bucket}/{_parent}/root"), PartSize);
        using var upload = new GeneratedStream(20L * 1024 * 1024, seed: 4);

        await store.WriteAsync(ArtifactPath.Parse("model/model.zip"), upload, Ct);

        Assert.Equal(
            ["InitiateMultipartUploadRequest", "UploadPartRequest", "UploadPartRequest", "UploadPartRequest", "UploadPartRequest", "CompleteMultipartUploadRequest"],
            requests.Where(r => r.Contains("Multipart", StringComparison.Ordinal) || r.Contains("Part", StringComparison.Ordinal) || r.StartsWith("PutObject", StringComparison.Ordinal)));
        var head = await s3.Client.GetObjectMetadataAsync(S3rverFixture.Bucket, RootPrefix + "model/model.zip");
        Assert.Equal(20L * 1024 * 1024, head.ContentLength);
    }

    [StoreFact]
    public async Task A_file_smaller_than_a_part_is_a_single_put()
    {
        using var client = RecordingClient(out var requests);
        var store = new S3ArtifactStore(client, S3ArtifactRoot.Parse($"s3://{S3rverFixture.Bucket}/{_parent}/root"), PartSize);

        await store.WriteAsync(ArtifactPath.Parse("small.bin"), new MemoryStream(new byte[PartSize - 1]), Ct);

        Assert.Contains("PutObjectRequest", requests);
        Assert.DoesNotContain(requests, r => r.Contains("Multipart", StringComparison.Ordinal));
        Assert.Equal(PartSize - 1, (await s3.Client.GetObjectMetadataAsync(S3rverFixture.Bucket, RootPrefix + "small.bin")).ContentLength);
    }

    [StoreFact]
    public async Task An_interrupted_multipart_upload_is_aborted_and_publishes_nothing()
    {
        using var client = RecordingClient(out var requests);
        var store = new S3ArtifactStore(client, S3ArtifactRoot.Parse($"s3://{S3rverFixture.Bucket}/{_parent}/root"), PartSize);

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync(ArtifactPath.Parse("model/model.zip"), new FailingStream(12L * 1024 * 1024), Ct));

        // Two parts reached the server before the body failed; the upload was then aborted, never completed.
        Assert.Equal(2, requests.Count(r => r == "UploadPartRequest"));
        Assert.Contains("AbortMultipartUploadRequest", requests);
        Assert.DoesNotContain("CompleteMultipartUploadRequest", requests);
        Assert.Empty(await StoredUnderRootAsync());
        Assert.Empty(await Store.ListAsync(ArtifactPath.Parse("model"), Ct));
    }

    [StoreFact]
    public async Task Lists_only_keys_that_are_valid_artifact_paths()
    {
        await WriteTextAsync("dir/ok.txt", "ok");

        // Keys another tool could have written under the root: a folder marker, and names an artifact path cannot
        // have. (Keys with empty or dot-dot segments are skipped the same way, but s3rver cannot store them.)
        await s3.PutAsync(RootPrefix + "dir/", "");
        await s3.PutAsync(RootPrefix + "dir/a?b", "x");
        await s3.PutAsync(RootPrefix + "dir/a#b", "x");
        await s3.PutAsync(RootPrefix + "dir/%2e%2e", "x");
        await s3.PutAsync(RootPrefix + "dir/back\\slash", "x");
        await s3.PutAsync(RootPrefix + "dir/sub?x/file.txt", "x");

        Assert.Equal([new ArtifactEntry("dir", true, null)], await Store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal([new ArtifactEntry("dir/ok.txt", false, 2)], await Store.ListAsync(ArtifactPath.Parse("dir"), Ct));
    }

    [StoreFact]
    public async Task Lists_and_deletes_folders_larger_than_one_listing_page()
    {
        // S3 returns at most 1,000 keys per listing and deletes at most 1,000 per request; s3rver pages the same way.
        await Parallel.ForEachAsync(Enumerable.Range(0, 1005), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await s3.PutAsync($"{RootPrefix}many/f{i:D4}.txt", "x"));

        Assert.Equal(1005, (await Store.ListAsync(ArtifactPath.Parse("many"), Ct)).Count);

        await Store.DeleteAsync(ArtifactPath.Parse("many"), Ct);

        Assert.Empty(await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task Works_at_the_root_of_a_bucket()
    {
        var bucket = "whole-" + Guid.NewGuid().ToString("N")[..12];
        await s3.Client.PutBucketAsync(bucket);
        var store = new S3ArtifactStore(s3.Client, S3ArtifactRoot.Parse($"s3://{bucket}"), PartSize);

        await store.WriteAsync(ArtifactPath.Parse("exp/run/a.txt"), new MemoryStream("a"u8.ToArray()), Ct);

        Assert.Equal([new ArtifactEntry("exp", true, null)], await store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal(["exp/run/a.txt"], (await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key));
        await store.DeleteAsync(ArtifactPath.Parse("exp"), Ct);
        Assert.Empty(await store.ListAsync(ArtifactPath.Root, Ct));
    }

    /// <summary>A client of its own that records the type of every request it sends, in order.</summary>
    private IAmazonS3 RecordingClient(out List<string> requests)
    {
        var client = S3ClientFactory.Create(s3.Endpoint, region: null, new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey));
        var sent = new List<string>();
        ((AmazonServiceClient)client).BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs request)
            {
                lock (sent)
                {
                    sent.Add(request.Request.GetType().Name);
                }
            }
        };
        requests = sent;
        return client;
    }
}
