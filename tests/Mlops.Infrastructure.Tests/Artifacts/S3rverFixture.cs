using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// One s3rver per test class with one bucket; each test works under a key prefix of its own. Nothing starts when
/// the tests are skipped on this machine (see <see cref="S3rverProcess.SkipReason"/>).
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "mlops-tests";

    private S3rverProcess? _server;
    private IAmazonS3? _client;

    public IAmazonS3 Client => _client ?? throw new InvalidOperationException("s3rver is not running.");

    public string Endpoint => _server?.Endpoint ?? throw new InvalidOperationException("s3rver is not running.");

    public async Task InitializeAsync()
    {
        if (S3rverProcess.SkipReason() is not null)
        {
            return;
        }

        _server = await S3rverProcess.StartAsync();
        _client = S3ClientFactory.Create(_server.Endpoint, region: null, new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey));
        await _client.PutBucketAsync(Bucket);
    }

    /// <summary>Every key under <paramref name="prefix"/> (which ends with a slash), relative to it, sorted.</summary>
    public async Task<IReadOnlyList<string>> KeysUnderAsync(string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task PutAsync(string key, string content) =>
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = content, UseChunkEncoding = false });

    public async Task<string> GetAsync(string key)
    {
        using var response = await Client.GetObjectAsync(Bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
