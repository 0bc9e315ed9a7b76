using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Mlops.Infrastructure;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Server.Tests.S3;

/// <summary>
/// A real server whose artifacts destination is <c>s3://mlops-e2e/artifacts</c> on a real s3rver, configured the way
/// an operator would: through the AWS environment variables. They are process-wide, which is safe because no other
/// test reads them; the previous values come back on dispose.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string BucketName = "mlops-e2e";
    public const string Prefix = "artifacts";

    private static readonly string[] s_variables = ["AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"];
    private readonly Dictionary<string, string?> _previous = s_variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private S3rver? _s3rver;
    private IAmazonS3? _s3;
    private WebApplication? _app;
    private HttpClient? _http;

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "mlops-s3-tests-" + Guid.NewGuid().ToString("N"));

    public static string Repository => Support.ServingSamples.Repository;

    public HttpClient Http => _http ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>A client of the bucket itself, to check where the server put things.</summary>
    public IAmazonS3 S3 => _s3 ?? throw new InvalidOperationException("s3rver has not started.");

    public async Task InitializeAsync()
    {
        if (S3rver.SkipReason() is not null)
        {
            return;
        }

        _s3rver = await S3rver.StartAsync(Repository);
        _s3 = S3ClientFactory.Create(_s3rver.Endpoint, region: null, new BasicAWSCredentials(S3rver.AccessKey, S3rver.SecretKey));
        await _s3.PutBucketAsync(BucketName);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", _s3rver.Endpoint);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rver.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rver.SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");

        Directory.CreateDirectory(Home);
        _app = MlopsServer.Build(new MlopsServerOptions
        {
            Port = 0,
            Host = "127.0.0.1",
            LogLevel = LogLevel.Warning,
            Storage = new MlopsStorageOptions { Home = Home, ArtifactsDestination = $"s3://{BucketName}/{Prefix}" },
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(MlopsServer.Addresses(_app)[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Every key in the bucket under <paramref name="prefix"/>, sorted.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = BucketName, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await S3.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _s3?.Dispose();
        _s3rver?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}
