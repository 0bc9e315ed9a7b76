using System.Text;
using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

public sealed class RunPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Runs_table_filters_sorts_chooses_columns_and_exports()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("table"));
        foreach (var (name, rmse, lr) in new[] { ("alpha", 0.3, "0.1"), ("beta", 0.7, "0.01"), ("gamma", 0.2, "0.001") })
        {
            var run = await server.Http.CreateRunAsync(experiment, name);
            await server.Http.LogAsync(run, [("rmse", rmse, 0)], [("lr", lr)], [("team", "=cmd|calc")]);
        }

        var page = await server.NewPageAsync();
        await page.GotoAsync($"/experiments/{experiment}");
        var rows = page.Locator("#runs tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#runs thead")).ToContainTextAsync("rmse");

        await page.FillAsync("input[name=filter]", "metrics.rmse < 0.5");
        await page.ClickAsync("#runs-query button[type=submit]:not([form])");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#runs")).Not.ToContainTextAsync("beta");

        await page.ClickAsync("#runs thead a:text-is('rmse')");
        await Assertions.Expect(rows.First).ToContainTextAsync("alpha");
        await page.ClickAsync("#runs thead a:has-text('rmse')");
        await Assertions.Expect(rows.First).ToContainTextAsync("gamma");

        // Column chooser: add the tag column.
        await page.ClickAsync("details.chooser summary");
        await page.CheckAsync("#column-chooser input[value='t:team']");
        await page.ClickAsync("#column-chooser button[type=submit]");
        await Assertions.Expect(page.Locator("#runs thead")).ToContainTextAsync("team");

        var csv = await server.Http.GetStringAsync($"experiments/{experiment}/runs.csv");
        Assert.Contains("'=cmd|calc", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=cmd", csv, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Run_page_shows_data_charts_and_artifact_previews()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("run"));
        var parent = await server.Http.CreateRunAsync(experiment, "parent");
        var run = await server.Http.CreateRunAsync(experiment, "trained");
        await server.Http.LogAsync(run, [("loss", 1.0, 0), ("loss", 0.5, 1), ("loss", 0.25, 2)], [("max_depth", "6")], [("mlflow.parentRunId", parent), ("owner", "ml-team")]);
        await server.Http.UploadAsync(run, "config.json", Encoding.UTF8.GetBytes("{\"a\":1,\"b\":[1,2]}"));
        await server.Http.UploadAsync(run, "data/sample.csv", Encoding.UTF8.GetBytes("x,y\n1,\"two, three\"\n"));
        await server.Http.UploadAsync(run, "notes.yaml", Encoding.UTF8.GetBytes("model: lgbm\n"));

        var page = await server.NewPageAsync();
        await page.GotoAsync($"/runs/{run}");
        await Assertions.Expect(page.Locator("#run-name")).ToHaveTextAsync("trained");
        await Assertions.Expect(page.Locator(".facts")).ToContainTextAsync(parent);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("max_depth");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("ml-team");

        var chart = page.Locator("#metric-chart-0");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "ready");
        Assert.Equal(3, await chart.EvaluateAsync<int>("el => el.data[0].y.length"));

        await page.ClickAsync("#artifacts a:text-is('config.json')");
        await Assertions.Expect(page.Locator("#artifact-preview")).ToContainTextAsync("\"b\": [");
        await page.ClickAsync("#artifacts a:text-is('data/')");
        await page.ClickAsync("#artifacts a:text-is('sample.csv')");
        await Assertions.Expect(page.Locator("#artifact-preview td").Nth(1)).ToHaveTextAsync("two, three");

        var parentPage = await server.NewPageAsync();
        await parentPage.GotoAsync($"/runs/{parent}");
        await Assertions.Expect(parentPage.Locator("#child-runs")).ToContainTextAsync("trained");
    }

    [ChromiumFact]
    public async Task User_text_is_rendered_as_text_never_as_markup()
    {
        const string evilName = "<script>window.__xss=1</script>";
        const string evilParam = "<img src=x onerror=\"window.__xss=2\">";
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("xss"));
        var run = await server.Http.CreateRunAsync(experiment, evilName);
        await server.Http.LogAsync(run, [("m", 1, 0)], [("p", evilParam)], [("t", evilParam)]);

        var page = await server.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        foreach (var url in new[] { $"/experiments/{experiment}?cols=p:p&cols=t:t&cols=m:m", $"/runs/{run}", $"/compare?runs={run}" })
        {
            await page.GotoAsync(url);
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync(evilName);
            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
            Assert.Equal(0, await page.Locator("img[src=x]").CountAsync());
        }

        Assert.Equal(0, dialogs);
    }
}
