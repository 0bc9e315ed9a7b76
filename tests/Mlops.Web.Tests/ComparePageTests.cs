using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

public sealed class ComparePageTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Compare_overlays_each_runs_series_and_plots_params_against_a_metric()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("compare"));
        var runs = new Dictionary<string, string>();
        foreach (var (name, lr, steps) in new[] { ("run-a", "0.1", 50), ("run-b", "0.01", 80), ("run-c", "0.001", 30) })
        {
            var run = await server.Http.CreateRunAsync(experiment, name);
            runs[name] = run;
            await server.Http.LogAsync(run,
                Enumerable.Range(0, steps).Select(s => ("loss", 1.0 / (s + 1), (long)s)).Append(("acc", 0.9, 0L)),
                [("lr", lr), ("optimizer", name == "run-c" ? "sgd" : "adam")]);
        }

        var page = await server.NewPageAsync();
        await page.GotoAsync($"/experiments/{experiment}");
        await page.CheckAsync($"#runs input[value='{runs["run-a"]}']");
        await page.CheckAsync($"#runs input[value='{runs["run-b"]}']");
        await page.CheckAsync($"#runs input[value='{runs["run-c"]}']");
        await page.ClickAsync("#compare-button");
        await page.WaitForURLAsync("**/compare?**");

        await Assertions.Expect(page.Locator("#params-diff tr.differs")).ToHaveCountAsync(2);

        // Charts are sorted by key: acc, then loss.
        var loss = page.Locator("#metric-chart-1");
        await Assertions.Expect(loss).ToHaveAttributeAsync("data-state", "ready");
        var series = await loss.EvaluateAsync<string[]>("el => el.data.map(t => t.name + ':' + t.x.length)");
        Assert.Equal(["run-a:50", "run-b:80", "run-c:30"], series.Order().ToArray());

        await page.CheckAsync("#chart-options input[name=log]");
        await page.WaitForFunctionAsync("() => document.getElementById('metric-chart-1').layout.yaxis.type === 'log'");
        await page.SelectOptionAsync("#chart-options select[name=xaxis]", "time");
        await page.WaitForFunctionAsync("() => document.getElementById('metric-chart-1').layout.xaxis.type === 'date'");
        await page.SelectOptionAsync("#chart-options select[name=xaxis]", "step");

        // Smoothing redraws from the same points: a step function becomes a ramp.
        var raw = await loss.EvaluateAsync<double[]>("el => el.data.find(t => t.name === 'run-a').y");
        await page.EvalOnSelectorAsync("#chart-options input[name=smoothing]", "el => { el.value = '0.9'; el.dispatchEvent(new Event('input', { bubbles: true })); }");
        await page.WaitForFunctionAsync("() => document.getElementById('metric-chart-1').data.find(t => t.name === 'run-a').y[5] > 0.2");
        var smoothed = await loss.EvaluateAsync<double[]>("el => el.data.find(t => t.name === 'run-a').y");
        Assert.Equal(raw.Length, smoothed.Length);
        Assert.Equal(raw[0], smoothed[0], 9);
        Assert.True(smoothed[5] > raw[5], $"smoothed {smoothed[5]} should lag above raw {raw[5]} on a falling curve");
        await page.EvalOnSelectorAsync("#chart-options input[name=smoothing]", "el => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); }");

        // Zooming asks the server for the finer range only.
        await loss.EvaluateAsync("el => Plotly.relayout(el, {'xaxis.range': [10, 20]})");
        await page.WaitForFunctionAsync("() => document.getElementById('metric-chart-1').data.every(t => t.x.every(x => x >= 10 && x <= 20))");

        var parallel = page.Locator("#parallel-coordinates");
        await Assertions.Expect(parallel).ToHaveAttributeAsync("data-state", "ready");
        var dimensions = await parallel.EvaluateAsync<string[]>("el => el.data[0].dimensions.map(d => d.label)");
        Assert.Equal(["lr", "optimizer", "acc"], dimensions);
        await Assertions.Expect(page.Locator("#scatter")).ToHaveAttributeAsync("data-state", "ready");
        Assert.Equal(3, await page.Locator("#scatter").EvaluateAsync<int>("el => el.data[0].x.length"));
    }
}
