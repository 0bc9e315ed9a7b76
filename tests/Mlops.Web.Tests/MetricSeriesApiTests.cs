using System.Net;
using System.Text.Json.Nodes;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

/// <summary>The downsampled series endpoint the charts use, through real HTTP and a real SQLite file.</summary>
public sealed class MetricSeriesApiTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [Fact]
    public async Task A_long_series_is_downsampled_to_the_budget_and_keeps_its_spike_and_dip()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("series"));
        var run = await server.Http.CreateRunAsync(experiment, "long");
        await server.Http.LogSeriesAsync(run, "loss", 10_000, step => step switch { 7777 => 100, 1234 => -100, _ => Math.Sin(step / 500.0) });

        var series = await server.Http.GetJsonAsync($"api/v1/runs/{run}/metrics/loss/series?points=200");

        Assert.Equal(10_000, (long)series["total_points"]!);
        Assert.True((bool)series["downsampled"]!);
        var steps = Longs(series["step"]!);
        var values = Doubles(series["value"]!);
        Assert.InRange(steps.Count, 100, 200);
        Assert.Equal(steps.Order().ToList(), steps);
        Assert.Equal(0, steps[0]);
        Assert.Equal(9999, steps[^1]);
        Assert.Equal(100, values[steps.IndexOf(7777)]);
        Assert.Equal(-100, values[steps.IndexOf(1234)]);
        Assert.Equal(100, values.Max());
        Assert.Equal(-100, values.Min());
    }

    [Fact]
    public async Task A_zoomed_range_small_enough_comes_back_point_for_point()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("series"));
        var run = await server.Http.CreateRunAsync(experiment, "zoom");
        await server.Http.LogSeriesAsync(run, "acc", 5_000, step => step / 5000.0);

        var series = await server.Http.GetJsonAsync($"api/v1/runs/{run}/metrics/acc/series?points=500&min_step=1000&max_step=1099");

        Assert.False((bool)series["downsampled"]!);
        Assert.Equal(100, (long)series["total_points"]!);
        Assert.Equal(Enumerable.Range(1000, 100).Select(i => (long)i), Longs(series["step"]!));
        Assert.Equal(1000 / 5000.0, Doubles(series["value"]!)[0]);
    }

    [Fact]
    public async Task Bad_requests_answer_with_problem_statuses()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("series"));
        var run = await server.Http.CreateRunAsync(experiment, "bad");

        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("api/v1/runs/0123456789abcdef0123456789abcdef/metrics/x/series")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync($"api/v1/runs/{run}/metrics/x/series?points=1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.GetAsync($"api/v1/runs/{run}/metrics/x/series?min_step=5&max_step=1")).StatusCode);
        var empty = await server.Http.GetJsonAsync($"api/v1/runs/{run}/metrics/none/series");
        Assert.Equal(0, (long)empty["total_points"]!);
        Assert.Empty(empty["step"]!.AsArray());
    }

    private static List<long> Longs(JsonNode array) => array.AsArray().Select(n => (long)n!).ToList();

    private static List<double> Doubles(JsonNode array) => array.AsArray().Select(n => (double)n!).ToList();
}
