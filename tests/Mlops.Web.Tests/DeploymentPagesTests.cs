using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

/// <summary>Two LightGBM versions trained by real jobs (the in-process worker), deployed, then split and rolled back from the page.</summary>
public sealed class DeploymentPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Start_a_canary_promote_it_and_roll_back_from_the_endpoint_page()
    {
        var model = Api.Unique("served");
        await TrainAsync(model, 10);
        await TrainAsync(model, 20);
        var endpoint = Api.Unique("ep");
        await server.Http.PostAsync("api/v1/endpoints", new JsonObject { ["name"] = endpoint, ["model_uri"] = $"models:/{model}/1", ["user"] = "tester" });

        var row = File.ReadLines(Path.Combine(Repository.Root, "samples", "data", "breast_cancer.csv")).Take(2).ToArray();
        for (var i = 0; i < 3; i++)
        {
            using var body = new StringContent(row[0] + "\n" + row[1] + "\n", System.Text.Encoding.UTF8, "text/csv");
            using var scored = await server.Http.PostAsync($"serving/{endpoint}/invocations", body);
            Assert.True(scored.IsSuccessStatusCode, await scored.Content.ReadAsStringAsync());
        }

        var page = await server.NewPageAsync();
        await page.GotoAsync("/deployments");
        await page.ClickAsync($"#endpoints a:text-is('{endpoint}')");
        await Assertions.Expect(page.Locator("#traffic-split")).ToContainTextAsync("r1 100%");
        await Assertions.Expect(page.Locator("#revision-traffic tbody tr").First).ToContainTextAsync("3");
        await Assertions.Expect(page.Locator("#revision-traffic tbody tr").First).ToContainTextAsync(" ms");

        await page.FillAsync("#canary-form input[name=CanaryModelUri]", $"models:/{model}/2");
        await page.FillAsync("#canary-form input[name=CanaryPercent]", "30");
        await page.FillAsync("#canary-form input[name=CanaryReason]", "try v2");
        await page.ClickAsync("#canary-form button[type=submit]");
        await Assertions.Expect(page.Locator("#traffic-split")).ToContainTextAsync("r1 70%");
        await Assertions.Expect(page.Locator("#traffic-split")).ToContainTextAsync("r2 30%");

        await page.ClickAsync("#promote-form button[type=submit]");
        await Assertions.Expect(page.Locator("#traffic-split")).ToHaveTextAsync("r2 100%");

        await page.FillAsync("#rollback-form input[name=RollbackReason]", "v2 regressed");
        await page.ClickAsync("#rollback-form button[type=submit]");
        await Assertions.Expect(page.Locator("#endpoint-history")).ToContainTextAsync("v2 regressed");
        var live = (await server.Http.GetJsonAsync($"api/v1/endpoints/{endpoint}"))["endpoint"]!["revisions"]!.AsArray()
            .Single(r => (string)r!["state"]! == "live")!;
        Assert.Equal(1, (int)live["model_version"]!);
        Assert.Equal("web", (string)live["created_by"]!);
    }

    private async Task TrainAsync(string model, int iterations)
    {
        var data = Path.Combine(Repository.Root, "samples", "data", "breast_cancer.csv");
        var spec = $$$"""
            name: {{{model}}}-{{{iterations}}}
            experiment: {{{model}}}
            dataset: {path: '{{{data}}}', label: label}
            task: binary
            trainer: {name: lightgbm, hyperparameters: {number_of_iterations: {{{iterations}}}}}
            validation: {method: holdout, holdout_fraction: 0.2, seed: 1}
            register: {model: {{{model}}}}
            """;
        var id = (long)(await server.Http.PostAsync("api/v1/train", new JsonObject { ["spec"] = spec }))["job"]!["id"]!;
        for (var wait = 0; wait < 600; wait++)
        {
            var job = (await server.Http.GetJsonAsync($"api/v1/jobs/{id}"))["job"]!;
            var status = (string)job["status"]!;
            if (status is "succeeded")
            {
                return;
            }

            Assert.False(status is "failed" or "cancelled", $"training job {id} {status}: {job["error"]}");
            await Task.Delay(200);
        }

        Assert.Fail($"training job {id} did not finish in 2 minutes");
    }
}
