using System.Net;
using System.Text;
using Mlops.Client;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests.Deployments;

/// <summary>
/// Endpoints in a real server: two LightGBM versions trained and registered by real jobs, deployed, split as a
/// canary, promoted and rolled back, with requests to /serving/{endpoint}/invocations showing which revision
/// answered; a model that fails its health check never takes traffic.
/// </summary>
public sealed class EndpointsApiTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly MlopsClient _client = new(new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }, ownsHttpClient: true);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task An_endpoint_deploys_splits_promotes_and_rolls_back_while_serving_and_keeps_its_history()
    {
        var model = "serve-" + Guid.NewGuid().ToString("N")[..8];
        await ServingSamples.TrainAsync(_client, model, iterations: 20);
        await ServingSamples.TrainAsync(_client, model, iterations: 40);
        var name = "ep-" + Guid.NewGuid().ToString("N")[..8];

        var deployed = await _client.DeployAsync(name, $"models:/{model}/1", reason: "first", user: "tester");
        var first = await InvokeManyAsync(name, 10);
        var canary = await _client.CanaryAsync(name, $"models:/{model}/2", 50, reason: "try v2");
        var split = await InvokeManyAsync(name, 60);
        var promoted = await _client.PromoteAsync(name);
        var afterPromote = await InvokeManyAsync(name, 10);
        var rolledBack = await _client.RollbackAsync(name, reason: "v2 regressed");
        var afterRollback = await InvokeManyAsync(name, 10);

        Assert.Equal([1], deployed.Traffic!.Select(t => t.Revision));
        Assert.Equal(1, deployed.Revisions![0].ModelVersion);
        Assert.Equal("tester", deployed.Revisions[0].CreatedBy);
        Assert.Equal(["1"], first.Distinct());
        Assert.Equal([(1, 50), (2, 50)], canary.Traffic!.Select(t => (t.Revision, t.Percent)).OrderBy(t => t.Revision));
        Assert.Equal(["1", "2"], split.Distinct().Order());
        Assert.Equal([(2, 100)], promoted.Traffic!.Select(t => (t.Revision, t.Percent)));
        Assert.Equal(["2"], afterPromote.Distinct());
        var restored = rolledBack.Revisions!.Single(r => r.State == "live");
        Assert.Equal(1, restored.ModelVersion);
        Assert.Equal(1, restored.RestoredFrom);
        Assert.Equal([restored.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)], afterRollback.Distinct());
        var history = (await _client.GetEndpointAsync(name)).History!;
        Assert.Equal(Enumerable.Range(1, history.Count), history.Select(h => h.Sequence));
        Assert.Contains(history, h => h.Kind == "rolled_back" && h.Reason == "v2 regressed");
        var metrics = await server.Http.GetStringAsync("metrics");
        Assert.Contains($"mlops_serving_requests_total{{endpoint=\"{name}\",revision=\"1\",code=\"200\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains($"mlops_serving_request_duration_seconds_bucket{{endpoint=\"{name}\",revision=\"2\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_canary_answers_its_share_of_many_requests_within_a_binomial_tolerance()
    {
        var model = "serve-" + Guid.NewGuid().ToString("N")[..8];
        await ServingSamples.TrainAsync(_client, model, iterations: 20);
        await ServingSamples.TrainAsync(_client, model, iterations: 40);
        var name = "ep-" + Guid.NewGuid().ToString("N")[..8];
        await _client.DeployAsync(name, $"models:/{model}/1");
        await _client.CanaryAsync(name, $"models:/{model}/2", 20);

        const int requests = 400;
        var answers = await InvokeManyAsync(name, requests);

        // 400 draws at 20 %: mean 80, standard deviation 8; four deviations either side fail by chance about once in 15,000 runs.
        var canary = answers.Count(a => a == "2");
        Assert.InRange(canary, 80 - 32, 80 + 32);
        Assert.Equal(requests - canary, answers.Count(a => a == "1"));
    }

    [Fact]
    public async Task A_model_that_fails_its_health_check_takes_no_traffic_and_the_old_revision_keeps_serving()
    {
        var model = "serve-" + Guid.NewGuid().ToString("N")[..8];
        var runId = await ServingSamples.TrainAsync(_client, model, iterations: 20);
        var name = "ep-" + Guid.NewGuid().ToString("N")[..8];
        await _client.DeployAsync(name, $"models:/{model}/1");

        // A run's artifact folder that holds no model package: it cannot load.
        var error = await Assert.ThrowsAsync<MlopsApiException>(() => _client.CanaryAsync(name, $"runs:/{runId}/feature_importance.json", 30));
        var endpoint = await _client.GetEndpointAsync(name);
        var answers = await InvokeManyAsync(name, 10);

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("failed its health check", error.Message, StringComparison.Ordinal);
        Assert.Contains("keep serving", error.Message, StringComparison.Ordinal);
        Assert.Equal([(1, 100)], endpoint.Traffic!.Select(t => (t.Revision, t.Percent)));
        Assert.Equal("failed", endpoint.Revisions![1].State);
        Assert.Equal(["1"], answers.Distinct());
    }

    [Fact]
    public async Task Bad_requests_name_the_problem_and_an_undeployed_endpoint_answers_404()
    {
        var model = "serve-" + Guid.NewGuid().ToString("N")[..8];
        await ServingSamples.TrainAsync(_client, model, iterations: 20);
        var name = "ep-" + Guid.NewGuid().ToString("N")[..8];
        await _client.DeployAsync(name, $"models:/{model}/1");

        var badName = await Assert.ThrowsAsync<MlopsApiException>(() => _client.DeployAsync("Bad_Name!", $"models:/{model}/1"));
        var badUri = await Assert.ThrowsAsync<MlopsApiException>(() => _client.DeployAsync(name, "s3://bucket/model"));
        var unknownModel = await Assert.ThrowsAsync<MlopsApiException>(() => _client.DeployAsync(name, "models:/no-such-model/1"));
        var badPercent = await Assert.ThrowsAsync<MlopsApiException>(() => _client.CanaryAsync(name, $"models:/{model}/1", 150));
        var noCanary = await Assert.ThrowsAsync<MlopsApiException>(() => _client.PromoteAsync(name));
        using var missingColumn = await PostAsync(name, """{"dataframe_records": [{"mean_radius": 17.99}]}""");
        await _client.UndeployAsync(name);
        using var gone = await PostAsync(name, """{"dataframe_records": [{"mean_radius": 17.99}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badUri.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPercent.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noCanary.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missingColumn.StatusCode);
        Assert.Contains("mean_texture", await missingColumn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("deleted", (await _client.GetEndpointAsync(name)).State);
    }

    private async Task<List<string>> InvokeManyAsync(string endpoint, int count)
    {
        var body = ServingSamples.CsvRow();
        var revisions = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await PostAsync(endpoint, body, "text/csv");
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            Assert.Contains("\"predictions\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            revisions.Add(response.Headers.GetValues("X-Mlops-Revision").Single());
        }

        return revisions;
    }

    private Task<HttpResponseMessage> PostAsync(string endpoint, string body, string contentType = "application/json") =>
        server.Http.PostAsync($"serving/{endpoint}/invocations", new StringContent(body, Encoding.UTF8, contentType));
}
