using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

public sealed class StudyPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Study_page_plots_history_parameters_and_the_intermediate_values_of_pruned_trials()
    {
        var name = Api.Unique("study");
        await server.Http.PostAsync("api/v1/studies", new JsonObject
        {
            ["name"] = name,
            ["direction"] = "minimize",
            ["space"] = JsonNode.Parse("""[{"name": "x", "type": "float", "low": -5, "high": 5}, {"name": "kind", "type": "categorical", "choices": ["a", "b"]}]"""),
        });
        for (var i = 0; i < 8; i++)
        {
            var trial = (await server.Http.PostAsync($"api/v1/studies/{name}/ask", []))["trial"]!;
            var number = (int)trial["number"]!;
            var x = (double)trial["params"]!["x"]!;
            await server.Http.PostAsync($"api/v1/studies/{name}/trials/{number}/report", new JsonObject { ["step"] = 1, ["value"] = x * x + 1 });
            await server.Http.PostAsync($"api/v1/studies/{name}/trials/{number}/tell",
                i == 3 ? new JsonObject { ["state"] = "pruned" } : new JsonObject { ["value"] = (x - 2) * (x - 2) });
        }

        var page = await server.NewPageAsync();
        await page.GotoAsync("/studies");
        await page.ClickAsync($"#studies a:text-is('{name}')");
        await Assertions.Expect(page.Locator("#trials tbody tr")).ToHaveCountAsync(8);

        var history = page.Locator("#history");
        await Assertions.Expect(history).ToHaveAttributeAsync("data-state", "ready");
        var best = await history.EvaluateAsync<double[]>("el => el.data[1].y");
        Assert.Equal(7, best.Length);
        Assert.Equal(best.OrderByDescending(v => v).ToArray(), best);

        var parallel = page.Locator("#study-parallel");
        await Assertions.Expect(parallel).ToHaveAttributeAsync("data-state", "ready");
        Assert.Equal(["x", "kind", "objective"], await parallel.EvaluateAsync<string[]>("el => el.data[0].dimensions.map(d => d.label)"));

        var intermediate = page.Locator("#intermediate");
        await Assertions.Expect(intermediate).ToHaveAttributeAsync("data-state", "ready");
        Assert.Equal(["trial 3 (pruned)"], await intermediate.EvaluateAsync<string[]>("el => el.data.map(t => t.name).filter(n => n.includes('pruned'))"));
    }
}
