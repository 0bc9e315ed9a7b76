using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Mlops.WebBench;

/// <summary>
/// Seeds a small, realistic demo through the API (runs with curves, two trained model versions, an endpoint with a
/// canary, a study, jobs) and saves a screenshot of each main page, for the README.
/// </summary>
public static class Screenshots
{
    public static async Task TakeAsync(HttpClient http, string baseAddress, string outputDirectory, string repositoryRoot)
    {
        Directory.CreateDirectory(outputDirectory);
        var experiment = (string)(await PostAsync(http, "api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = "churn-classifier" }))["experiment_id"]!;
        var runIds = new List<string>();
        var random = new Random(3);
        foreach (var (model, lr, depth, i) in new[] { ("lgbm", 0.1, 6, 0), ("lgbm", 0.05, 8, 1), ("lgbm", 0.02, 10, 2), ("fasttree", 0.1, 6, 3), ("fasttree", 0.05, 4, 4), ("sdca", 0.01, 0, 5) })
        {
            var run = (string)(await PostAsync(http, "api/2.0/mlflow/runs/create", new JsonObject
            {
                ["experiment_id"] = experiment, ["run_name"] = $"{model}-lr{lr.ToString(CultureInfo.InvariantCulture)}-d{depth}", ["user_id"] = "alice",
                ["start_time"] = 1_764_300_000_000L + i * 600_000L,
            }))["run"]!["info"]!["run_id"]!;
            runIds.Add(run);
            var metrics = new JsonArray();
            var floor = 0.15 + 0.03 * i;
            for (var step = 0; step < 300; step++)
            {
                var loss = floor + Math.Exp(-step * lr / 3) * 0.8 + 0.02 * random.NextDouble();
                metrics.Add(Metric("train_loss", loss, step));
                if (step % 10 == 0)
                {
                    metrics.Add(Metric("val_auc", 0.95 - floor / 2 - Math.Exp(-step * lr / 3) * 0.3 + 0.01 * random.NextDouble(), step));
                }
            }

            await PostAsync(http, "api/2.0/mlflow/runs/log-batch", new JsonObject
            {
                ["run_id"] = run,
                ["metrics"] = metrics,
                ["params"] = new JsonArray(Pair("model", model), Pair("learning_rate", lr.ToString(CultureInfo.InvariantCulture)), Pair("max_depth", depth.ToString(CultureInfo.InvariantCulture))),
                ["tags"] = new JsonArray(Pair("team", "growth"), Pair("dataset", "churn-2026-11")),
            });
            await PostAsync(http, "api/2.0/mlflow/runs/update", new JsonObject { ["run_id"] = run, ["status"] = i == 5 ? "FAILED" : "FINISHED", ["end_time"] = 1_764_300_000_000L + i * 600_000L + 240_000 });
        }

        using (var csv = new ByteArrayContent("customer_id,tenure,churned\n1001,12,0\n1002,3,1\n1003,40,0\n"u8.ToArray()))
        {
            var run = await http.GetFromJsonAsync<JsonObject>("api/2.0/mlflow/runs/get?run_id=" + runIds[0]);
            var root = ((string)run!["run"]!["info"]!["artifact_uri"]!)["mlflow-artifacts:/".Length..];
            (await http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{root}/eval/predictions.csv", csv)).EnsureSuccessStatusCode();
        }

        // Two model versions trained by real jobs, then an endpoint with a canary.
        var data = Path.Combine(repositoryRoot, "samples", "data", "breast_cancer.csv");
        foreach (var iterations in new[] { 20, 60 })
        {
            var spec = $"name: cancer-{iterations}\nexperiment: breast-cancer\ndataset: {{path: '{data}', label: label}}\ntask: binary\n"
                + $"trainer: {{name: lightgbm, hyperparameters: {{number_of_iterations: {iterations}}}}}\nvalidation: {{method: holdout, holdout_fraction: 0.2, seed: 1}}\nregister: {{model: breast-cancer}}\n";
            var job = (long)(await PostAsync(http, "api/v1/train", new JsonObject { ["spec"] = spec }))["job"]!["id"]!;
            await WaitForJobAsync(http, job);
        }

        await PostAsync(http, "api/2.0/mlflow/registered-models/alias", new JsonObject { ["name"] = "breast-cancer", ["alias"] = "champion", ["version"] = "1" });
        await PostAsync(http, "api/2.0/mlflow/model-versions/transition-stage", new JsonObject { ["name"] = "breast-cancer", ["version"] = "1", ["stage"] = "Production" });
        await PostAsync(http, "api/2.0/mlflow/registered-models/alias", new JsonObject { ["name"] = "breast-cancer", ["alias"] = "challenger", ["version"] = "2" });
        await PostAsync(http, "api/v1/endpoints", new JsonObject { ["name"] = "cancer-scoring", ["model_uri"] = "models:/breast-cancer@champion", ["reason"] = "first release", ["user"] = "alice" });
        await PostAsync(http, "api/v1/endpoints/cancer-scoring/canary", new JsonObject { ["model_uri"] = "models:/breast-cancer@challenger", ["percent"] = 20, ["reason"] = "try 60 iterations", ["user"] = "alice" });

        var rows = File.ReadLines(data).Take(6).ToArray();
        for (var i = 0; i < 200; i++)
        {
            using var body = new StringContent(string.Join('\n', rows[0], rows[1 + i % 5]) + "\n", System.Text.Encoding.UTF8, "text/csv");
            (await http.PostAsync("serving/cancer-scoring/invocations", body)).EnsureSuccessStatusCode();
        }

        // A study driven by ask/tell, with pruning.
        await PostAsync(http, "api/v1/studies", new JsonObject
        {
            ["name"] = "tune-lightgbm", ["direction"] = "minimize",
            ["space"] = JsonNode.Parse("""[{"name": "learning_rate", "type": "float", "low": 0.001, "high": 0.3, "log": true}, {"name": "num_leaves", "type": "int", "low": 8, "high": 128}, {"name": "boosting", "type": "categorical", "choices": ["gbdt", "dart"]}]"""),
        });
        for (var i = 0; i < 30; i++)
        {
            var trial = (await PostAsync(http, "api/v1/studies/tune-lightgbm/ask", []))["trial"]!;
            var number = (int)trial["number"]!;
            var lr = (double)trial["params"]!["learning_rate"]!;
            var leaves = (double)trial["params"]!["num_leaves"]!;
            var objective = Math.Pow(Math.Log10(lr) + 1.3, 2) + Math.Abs(leaves - 48) / 200 + 0.05 * random.NextDouble();
            var pruned = false;
            for (var step = 1; step <= 5; step++)
            {
                var report = await PostAsync(http, $"api/v1/studies/tune-lightgbm/trials/{number}/report", new JsonObject { ["step"] = step, ["value"] = objective + 1.0 / step });
                if ((bool?)report["should_prune"] == true)
                {
                    pruned = true;
                    break;
                }
            }

            await PostAsync(http, $"api/v1/studies/tune-lightgbm/trials/{number}/tell", pruned ? new JsonObject { ["state"] = "pruned" } : new JsonObject { ["value"] = objective });
        }

        var slow = (long)(await PostAsync(http, "api/v1/jobs", new JsonObject { ["kind"] = "noop", ["payload"] = new JsonObject { ["sleep_ms"] = 120_000 } }))["job"]!["id"]!;
        await PostAsync(http, "api/v1/jobs", new JsonObject { ["kind"] = "noop", ["payload"] = new JsonObject { ["fatal"] = true }, ["max_attempts"] = 1 });
        await Task.Delay(3000);

        string[] flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = flags });
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress, ViewportSize = new() { Width = 1440, Height = 1000 } });
        var compare = "compare?" + string.Join("&", runIds.Take(5).Select(r => "runs=" + r));
        foreach (var (file, url, ready) in new[]
        {
            ("experiments", "", "#experiments"),
            ("runs", $"experiments/{experiment}", "#runs"),
            ("run", $"runs/{runIds[0]}?file=eval/predictions.csv&dir=eval", "#metric-chart-1[data-state=ready]"),
            ("compare", compare, "#metric-chart-1[data-state=ready]"),
            ("compare-parameters", compare + "#plot-axes", "#parallel-coordinates[data-state=ready]"),
            ("model-version", "models/breast-cancer/versions/2", "#lineage"),
            ("jobs", "jobs", "#jobs"),
            ("study", "studies/tune-lightgbm", "#history[data-state=ready]"),
            ("deployment", "deployments/cancer-scoring", "#revisions"),
        })
        {
            // A page per screenshot: the jobs page refreshes itself while jobs run, which would abort the next navigation.
            var page = await context.NewPageAsync();
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync(ready, new() { Timeout = 60_000 });
            await page.WaitForTimeoutAsync(500);
            if (url.Contains('#', StringComparison.Ordinal))
            {
                await page.Locator("#plot-axes").ScrollIntoViewIfNeededAsync();
                await page.ScreenshotAsync(new() { Path = Path.Combine(outputDirectory, file + ".png") });
            }
            else
            {
                await page.ScreenshotAsync(new() { Path = Path.Combine(outputDirectory, file + ".png"), FullPage = false });
            }

            await page.CloseAsync();
            Console.Error.WriteLine($"screenshot {file}.png");
        }

        await PostAsync(http, $"api/v1/jobs/{slow}/cancel", []);
    }

    private static async Task WaitForJobAsync(HttpClient http, long id)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = (await http.GetFromJsonAsync<JsonObject>($"api/v1/jobs/{id}"))!["job"]!;
            switch ((string)job["status"]!)
            {
                case "succeeded":
                    return;
                case "failed" or "cancelled":
                    throw new InvalidOperationException($"job {id}: {job["error"]}");
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"job {id} did not finish");
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    private static JsonObject Metric(string key, double value, long step) =>
        new() { ["key"] = key, ["value"] = value, ["step"] = step, ["timestamp"] = 1_764_300_000_000L + step * 800 };

    private static JsonObject Pair(string key, string value) => new() { ["key"] = key, ["value"] = value };
}
