using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests.Deployments;

/// <summary>
/// Shadows, the prediction log, scaling, alias following and redeploys under load, in a real server with real
/// LightGBM models trained and registered by real jobs.
/// </summary>
public sealed class ShadowLoggingAndFollowingTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);
    private readonly MlopsClient _client = new(new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }, ownsHttpClient: true);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_shadow_scores_a_copy_of_every_request_its_answers_are_logged_and_never_returned()
    {
        var model = await TrainTwoVersionsAsync();
        var name = Unique("shadow");
        await _client.DeployAsync(name, $"models:/{model}/1");
        var primaryOnly = await InvokeAsync(name);
        var shadowed = await _client.ShadowAsync(name, $"models:/{model}/2", reason: "compare v2");

        var answers = new List<EndpointAnswer>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await InvokeAsync(name));
        }

        var logged = await WaitForPredictionsAsync(name, 40);
        var comparison = await _client.CompareShadowAsync(name);

        Assert.Equal([(1, 100)], shadowed.Traffic!.Select(t => (t.Revision, t.Percent)));
        Assert.Contains(shadowed.Revisions!, r => r.Number == 2 && r.Role == "shadow" && r.State == "live" && r.Weight == 0);
        Assert.All(answers, a => Assert.Equal(1, a.Revision));
        Assert.All(answers, a => Assert.Equal(primaryOnly.Json, a.Json));
        Assert.All(answers, a => Assert.NotNull(a.RequestId));
        foreach (var answer in answers)
        {
            var pair = logged.Where(p => p.RequestId == answer.RequestId).ToList();
            Assert.Equal(["primary:1", "shadow:2"], pair.Select(p => $"{p.Role}:{p.Revision}").Order());
            Assert.All(pair, p => Assert.Null(p.Error));
            Assert.Equal(1, pair[0].Rows);
            Assert.Equal("mean_radius", pair[0].Inputs!.Value.GetProperty("columns")[0].GetString());
        }

        Assert.Equal(2, comparison.Shadow);
        Assert.True(comparison.Paired >= 20, $"{comparison.Paired} pairs");
        Assert.Equal(0, comparison.ShadowErrors);
        Assert.NotNull(comparison.Agreement);
        Assert.Contains("Probability", comparison.MeanAbsoluteDifference!.Keys);
        Assert.Matches(@"mlops_shadow_scored_total [1-9]", await server.Http.GetStringAsync("metrics"));
    }

    [Fact]
    public async Task The_log_sample_rate_decides_which_requests_are_logged_and_bad_settings_are_refused()
    {
        var model = await TrainTwoVersionsAsync();
        var name = Unique("sampled");
        await _client.DeployAsync(name, $"models:/{model}/1");

        var unlogged = await InvokeAsync(name);
        var configured = await _client.ConfigureEndpointAsync(name, logSampleRate: 1.0, reason: "watch everything");
        var logged = new List<EndpointAnswer>();
        for (var i = 0; i < 10; i++)
        {
            logged.Add(await InvokeAsync(name));
        }

        var records = await WaitForPredictionsAsync(name, 10);
        var tooHigh = await Assert.ThrowsAsync<MlopsApiException>(() => _client.ConfigureEndpointAsync(name, logSampleRate: 1.5));
        var notANumber = await PostJsonAsync($"api/v1/endpoints/{name}/settings", """{"log_sample_rate": "lots"}""");
        var unknown = await Assert.ThrowsAsync<MlopsApiException>(() => _client.ListPredictionsAsync("no-such-endpoint"));

        Assert.Null(unlogged.RequestId);
        Assert.Equal(1.0, configured.Settings!.LogSampleRate);
        Assert.Equal("configured", configured.History![^1].Kind);
        Assert.Equal("watch everything", configured.History[^1].Reason);
        Assert.All(logged, a => Assert.NotNull(a.RequestId));
        Assert.Equal(logged.Select(a => a.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.All(records, r => Assert.Equal("primary", r.Role));
        Assert.All(records, r => Assert.True(r.Outputs!.Value.GetProperty("columns").GetArrayLength() == 3));
        Assert.Equal(HttpStatusCode.BadRequest, tooHigh.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notANumber);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(1.0, (await _client.GetEndpointAsync(name)).Settings!.LogSampleRate);
    }

    [Fact]
    public async Task Scaling_changes_a_revisions_replicas_in_place_and_bad_counts_are_refused()
    {
        var model = await TrainTwoVersionsAsync();
        var name = Unique("scaled");
        var deployed = await _client.DeployAsync(name, $"models:/{model}/1", replicas: 1);

        var scaled = await _client.ScaleAsync(name, 4, reason: "more traffic");
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => InvokeAsync(name)));
        var zero = await Assert.ThrowsAsync<MlopsApiException>(() => _client.ScaleAsync(name, 0));
        var tooMany = await Assert.ThrowsAsync<MlopsApiException>(() => _client.ScaleAsync(name, 65));
        var unknownRevision = await Assert.ThrowsAsync<MlopsApiException>(() => _client.ScaleAsync(name, 2, revision: 9));

        Assert.Equal(1, deployed.Revisions![0].Replicas);
        Assert.Equal(4, scaled.Revisions![0].Replicas);
        Assert.Equal("scaled", scaled.History![^1].Kind);
        Assert.All(answers, a => Assert.Equal(1, a.Revision));
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRevision.StatusCode);
    }

    [Fact]
    public async Task An_endpoint_that_follows_its_alias_redeploys_when_the_alias_moves()
    {
        var model = await TrainTwoVersionsAsync();
        await _client.SetRegisteredModelAliasAsync(model, "champion", "1");
        var name = Unique("follow");
        var pinned = Unique("pinned");
        await _client.DeployAsync(name, $"models:/{model}@champion");
        await _client.DeployAsync(pinned, $"models:/{model}@champion");
        await _client.ConfigureEndpointAsync(name, followAlias: true);

        await _client.SetRegisteredModelAliasAsync(model, "champion", "2");
        var followed = await WaitAsync(async () =>
        {
            var endpoint = await _client.GetEndpointAsync(name);
            return endpoint.Revisions!.Any(r => r.State == "live" && r.ModelVersion == 2) ? endpoint : null;
        });
        var answer = await InvokeAsync(name);
        var notFollowing = await _client.GetEndpointAsync(pinned);

        var live = followed.Revisions!.Single(r => r.State == "live");
        Assert.Equal($"models:/{model}@champion", live.ModelUri);
        Assert.Equal("alias-follower", live.CreatedBy);
        Assert.Equal(live.Number, answer.Revision);
        Assert.Equal([(1, 100)], notFollowing.Traffic!.Select(t => (t.Revision, t.Percent)));
        Assert.Equal(1, notFollowing.Revisions![0].ModelVersion);
    }

    [Fact]
    public async Task Requests_sent_during_deploys_canaries_and_rollbacks_all_succeed()
    {
        var model = await TrainTwoVersionsAsync();
        var name = Unique("busy");
        await _client.DeployAsync(name, $"models:/{model}/1");
        using var stop = new CancellationTokenSource();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var body = ServingSamples.CsvRow();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await server.Http.PostAsync($"serving/{name}/invocations", new StringContent(body, Encoding.UTF8, "text/csv"));
                statuses.Add(response.StatusCode);
            }
        })).ToList();

        await _client.DeployAsync(name, $"models:/{model}/2");
        await _client.CanaryAsync(name, $"models:/{model}/1", 30);
        await _client.PromoteAsync(name);
        await _client.RollbackAsync(name);
        await _client.ScaleAsync(name, 3);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(statuses.Count > 20, $"only {statuses.Count} requests were sent");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private async Task<List<PredictionDto>> WaitForPredictionsAsync(string endpoint, int count) =>
        await WaitAsync(async () =>
        {
            var page = await _client.ListPredictionsAsync(endpoint, maxResults: 1000);
            return page.Predictions!.Count >= count ? page.Predictions : null;
        });

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + s_patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "the server did not get there within a minute");
            await Task.Delay(100);
        }
    }

    private Task<EndpointAnswer> InvokeAsync(string endpoint) => _client.InvokeEndpointAsync(endpoint, ServingSamples.CsvRow(), "text/csv");

    private async Task<HttpStatusCode> PostJsonAsync(string path, string json)
    {
        using var response = await server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Registers versions 1 and 2 of a new model (20 and 40 boosting rounds), so their answers differ a little.</summary>
    private async Task<string> TrainTwoVersionsAsync()
    {
        var model = Unique("m");
        await ServingSamples.TrainAsync(_client, model, 20);
        await ServingSamples.TrainAsync(_client, model, 40);
        return model;
    }
}
