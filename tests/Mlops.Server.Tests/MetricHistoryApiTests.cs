using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

public sealed class MetricHistoryApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    private async Task<string> RunWithHistoryAsync(string key, int points)
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("history"));
        // Logged out of order: the history comes back sorted by step.
        var metrics = new JsonArray(Enumerable.Range(0, points).Reverse().Select(i => (JsonNode)Metric(key, i * 1.5, step: i, timestamp: 1_700_000_000_000 + i)).ToArray());
        (await _http.LogBatchAsync(runId, metrics)).Succeeds();
        return runId;
    }

    [Fact]
    public async Task Returns_every_point_in_step_order()
    {
        var runId = await RunWithHistoryAsync("loss", 10);

        var history = (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={runId}&metric_key=loss")).Succeeds();

        var points = history["metrics"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), points.Select(p => (long)p!["step"]!));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 1.5), points.Select(p => (double)p!["value"]!));
        Assert.All(points, p => Assert.Equal("loss", (string)p!["key"]!));
        Assert.Equal(1_700_000_000_004, (long)points[4]!["timestamp"]!);
        Assert.Null(history["next_page_token"]);
    }

    [Fact]
    public async Task Pages_through_the_history_with_max_results_and_page_tokens()
    {
        var runId = await RunWithHistoryAsync("acc", 10);
        var steps = new List<long>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = Routes.Mlflow + $"metrics/get-history?run_id={runId}&metric_key=acc&max_results=3" + (token is null ? "" : "&page_token=" + Routes.Escape(token));
            var page = (await _http.GetApiAsync(url)).Succeeds();
            var items = page["metrics"]!.AsArray();
            Assert.InRange(items.Count, 1, 3);
            steps.AddRange(items.Select(p => (long)p!["step"]!));
            token = (string?)page["next_page_token"];
            pages++;
        }
        while (token is not null);

        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), steps);
    }

    [Fact]
    public async Task Accepts_run_uuid_and_the_ajax_prefix()
    {
        var runId = await RunWithHistoryAsync("m", 3);

        var history = (await _http.GetApiAsync(Routes.AjaxMlflow + $"metrics/get-history?run_uuid={runId}&metric_key=m")).Succeeds();

        Assert.Equal(3, history["metrics"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_unlogged_metric_has_an_empty_history()
    {
        var runId = await RunWithHistoryAsync("m", 1);

        var history = (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={runId}&metric_key=never")).Succeeds();

        Assert.True(history["metrics"] is null || history["metrics"]!.AsArray().Count == 0, history.ToJsonString());
    }

    [Fact]
    public async Task Missing_metric_key_is_400_naming_metric_key()
    {
        var runId = await RunWithHistoryAsync("m", 1);

        var message = (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={runId}")).IsInvalid();

        Assert.Contains("metric_key", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("&page_token=garbage")]
    [InlineData("&max_results=-1")]
    [InlineData("&max_results=abc")]
    public async Task A_bad_page_token_or_max_results_is_400(string query)
    {
        var runId = await RunWithHistoryAsync("m", 1);

        (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={runId}&metric_key=m{query}")).IsInvalid();
    }

    [Fact]
    public async Task Bulk_history_returns_the_points_of_several_runs_each_with_its_run_id()
    {
        var first = await RunWithHistoryAsync("shared", 2);
        var second = await RunWithHistoryAsync("shared", 3);

        var history = (await _http.GetApiAsync(Routes.AjaxMlflow + $"metrics/get-history-bulk?run_id={first}&run_id={second}&metric_key=shared")).Succeeds();

        var points = history["metrics"]!.AsArray();
        Assert.Equal(2, points.Count(p => (string)p!["run_id"]! == first));
        Assert.Equal(3, points.Count(p => (string)p!["run_id"]! == second));
    }
}
