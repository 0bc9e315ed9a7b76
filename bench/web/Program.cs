// Scale benchmark of the web interface: an experiment with 10,000 runs and a run with a 1,000,000-point metric,
// made through the real HTTP API of a real server, then timed in headless Chromium. Prints a markdown table.
// Usage: dotnet run -c Release --project bench/web [-- --runs 10000 --points 1000000 --repeat 5]
//        dotnet run -c Release --project bench/web -- --screenshots docs/screenshots   (demo data + README screenshots)
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Mlops.Infrastructure;
using Mlops.Server;

var runs = Option("--runs", 10_000);
var points = Option("--points", 1_000_000);
var repeat = Option("--repeat", 5);
var screenshots = Array.IndexOf(args, "--screenshots") is var s and >= 0 && s + 1 < args.Length ? Path.GetFullPath(args[s + 1]) : null;
var home = Path.Combine(Path.GetTempPath(), "mlops-web-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(home);
var app = MlopsServer.Build(new MlopsServerOptions
{
    Port = 0, Host = "127.0.0.1", LogLevel = LogLevel.Warning, Storage = new MlopsStorageOptions { Home = home },
    Worker = screenshots is null ? null : new Mlops.Worker.WorkerOptions(),
});
await app.StartAsync();
var baseAddress = MlopsServer.Addresses(app)[0].TrimEnd('/') + "/";
using var http = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromMinutes(10) };
if (screenshots is not null)
{
    await Mlops.WebBench.Screenshots.TakeAsync(http, baseAddress, screenshots, Directory.GetCurrentDirectory());
    await app.StopAsync();
    await app.DisposeAsync();
    return 0;
}

var clock = Stopwatch.StartNew();
var experiment = (string)(await Post("api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = "web-bench" }))["experiment_id"]!;
var created = 0;
await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
{
    var run = (string)(await Post("api/2.0/mlflow/runs/create", new JsonObject
    {
        ["experiment_id"] = experiment, ["run_name"] = $"run-{i:D5}", ["start_time"] = 1_700_000_000_000L + i * 1000L,
    }))["run"]!["info"]!["run_id"]!;
    await Post("api/2.0/mlflow/runs/log-batch", new JsonObject
    {
        ["run_id"] = run,
        ["metrics"] = new JsonArray(
            Metric("rmse", 1.0 / (1 + i % 997), 0), Metric("accuracy", (i % 1000) / 1000.0, 0), Metric("loss", Math.Exp(-i / 5000.0), 0)),
        ["params"] = new JsonArray(
            Pair("lr", (0.001 * (1 + i % 10)).ToString(CultureInfo.InvariantCulture)), Pair("max_depth", (3 + i % 8).ToString(CultureInfo.InvariantCulture)),
            Pair("model", i % 2 == 0 ? "lgbm" : "fasttree")),
        ["tags"] = new JsonArray(Pair("team", i % 3 == 0 ? "a" : "b")),
    });
    Interlocked.Increment(ref created);
});
Console.Error.WriteLine($"{created} runs made in {clock.Elapsed.TotalSeconds:0.0} s");

clock.Restart();
var longRun = (string)(await Post("api/2.0/mlflow/runs/create", new JsonObject { ["experiment_id"] = experiment, ["run_name"] = "long-metric" }))["run"]!["info"]!["run_id"]!;
var random = new Random(7);
for (var start = 0; start < points; start += 1000)
{
    var batch = new JsonArray();
    for (var step = start; step < Math.Min(points, start + 1000); step++)
    {
        batch.Add(Metric("train_loss", Math.Exp(-step / 200_000.0) + 0.05 * random.NextDouble() + (step == 777_777 ? 5 : 0), step));
    }

    await Post("api/2.0/mlflow/runs/log-batch", new JsonObject { ["run_id"] = longRun, ["metrics"] = batch });
}

Console.Error.WriteLine($"{points} metric points logged in {clock.Elapsed.TotalSeconds:0.0} s");

string[] flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = flags });
var rows = new List<string>();

async Task Measure(string what, string url, string readySelector)
{
    var times = new List<double>();
    for (var i = 0; i <= repeat; i++)
    {
        // A fresh context each time: nothing cached in the browser (the server stays warm after the first pass).
        await using var context = await browser.NewContextAsync(new() { BaseURL = baseAddress, ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var watch = Stopwatch.StartNew();
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync(readySelector, new() { Timeout = 120_000 });
        watch.Stop();
        if (i > 0)
        {
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    rows.Add($"| {what} | {times[times.Count / 2]:0} ms | {times[0]:0} ms | {times[^1]:0} ms |");
    Console.Error.WriteLine(rows[^1]);
}

async Task MeasureHttp(string what, string url)
{
    var times = new List<double>();
    for (var i = 0; i <= repeat; i++)
    {
        var watch = Stopwatch.StartNew();
        (await http.GetAsync(url)).EnsureSuccessStatusCode();
        watch.Stop();
        if (i > 0)
        {
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    rows.Add($"| {what} | {times[times.Count / 2]:0} ms | {times[0]:0} ms | {times[^1]:0} ms |");
    Console.Error.WriteLine(rows[^1]);
}

await MeasureHttp($"Runs page HTML alone (server time), {runs:N0} runs, first page of 50", $"experiments/{experiment}");
await Measure($"Runs page, {runs:N0} runs, first page of 50 (newest first)", $"experiments/{experiment}", "#runs tbody tr");
await Measure("Runs page sorted by a metric (`metrics.rmse DESC`)", $"experiments/{experiment}?order={Uri.EscapeDataString("metrics.`rmse` DESC")}", "#runs tbody tr");
var deepPage = Math.Max(1, runs / 500);
await Measure($"Runs page filtered (`params.model = 'lgbm' and metrics.accuracy > 0.5`), page {deepPage}", $"experiments/{experiment}?filter={Uri.EscapeDataString("params.model = 'lgbm' and metrics.accuracy > 0.5")}&page={deepPage}", "#runs tbody tr");
await Measure($"Run page with a {points:N0}-point metric until its chart is drawn", $"runs/{longRun}", "#metric-chart-0[data-state=ready]");
await MeasureHttp($"Series endpoint alone, {points:N0} points → 500", $"api/v1/runs/{longRun}/metrics/train_loss/series?points=500");
await MeasureHttp("Series endpoint, zoomed to 10,000 steps → 500", $"api/v1/runs/{longRun}/metrics/train_loss/series?points=500&min_step=500000&max_step=509999");
await MeasureHttp("Series endpoint, zoomed to 400 steps (raw points)", $"api/v1/runs/{longRun}/metrics/train_loss/series?points=500&min_step=500000&max_step=500399");

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; median of {repeat} after one warm-up");
Console.WriteLine();
Console.WriteLine("| Measurement | Median | Min | Max |");
Console.WriteLine("|---|---|---|---|");
rows.ForEach(Console.WriteLine);

await app.StopAsync();
await app.DisposeAsync();
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(home, recursive: true);
return 0;

async Task<JsonObject> Post(string path, JsonObject body)
{
    using var response = await http.PostAsJsonAsync(path, body);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    return JsonNode.Parse(text)!.AsObject();
}

static JsonObject Metric(string key, double value, long step) =>
    new() { ["key"] = key, ["value"] = value, ["step"] = step, ["timestamp"] = 1_700_000_000_000L + step };

static JsonObject Pair(string key, string value) => new() { ["key"] = key, ["value"] = value };

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
