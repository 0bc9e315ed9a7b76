using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

// A .NET load generator for the MLflow API, to measure what the server sustains when the client is not the
// bottleneck (the Python script's own ceiling is ~120,000 metrics/s on this machine). Bodies are built before
// timing starts. Usage: dotnet run -c Release --project bench/Mlops.LoadTest -- http://127.0.0.1:5000
var baseUrl = (args.Length > 0 ? args[0] : "http://127.0.0.1:5000").TrimEnd('/');
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(baseUrl + "/api/2.0/mlflow/") };

async Task<JsonNode> PostAsync(string path, string json)
{
    using var content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
    using var response = await http.PostAsync(path, content);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    return JsonNode.Parse(text)!;
}

async Task<string> NewRunAsync(string experimentId) =>
    (string)(await PostAsync("runs/create", $"{{\"experiment_id\":\"{experimentId}\"}}"))["run"]!["info"]!["run_id"]!;

string Batch(string runId, long start, string? key = null) =>
    "{\"run_id\":\"" + runId + "\",\"metrics\":[" + string.Join(",", Enumerable.Range(0, 1000).Select(i =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"key\":\"{key ?? "m" + ((start + i) % 10)}\",\"value\":{Random.Shared.NextDouble()},\"timestamp\":{1_700_000_000_000 + start + i},\"step\":{start + i}}}"))) + "]}";

static double Percentile(List<double> values, double p)
{
    values.Sort();
    return values[Math.Clamp((int)Math.Ceiling(p / 100 * values.Count) - 1, 0, values.Count - 1)];
}

var experimentId = (string)(await PostAsync("experiments/create", $"{{\"name\":\"load-{Guid.NewGuid():N}\"}}"))["experiment_id"]!;
Console.WriteLine($"server {baseUrl}, experiment {experimentId}");

// Warm-up so every scenario measures the steady state.
var warmRun = await NewRunAsync(experimentId);
for (var i = 0; i < 50; i++)
{
    await PostAsync("runs/log-batch", Batch(warmRun, i * 1000L));
}

foreach (var concurrency in new[] { 1, 8 })
{
    const int batchesPerWorker = 50;
    var runs = new List<string>();
    for (var w = 0; w < concurrency; w++)
    {
        runs.Add(await NewRunAsync(experimentId));
    }

    var bodies = runs.Select(r => Enumerable.Range(0, batchesPerWorker).Select(b => Batch(r, b * 1000L)).ToList()).ToList();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(bodies.Select(async list =>
    {
        foreach (var body in list)
        {
            await PostAsync("runs/log-batch", body);
        }
    }));
    clock.Stop();
    var metrics = concurrency * batchesPerWorker * 1000.0;
    Console.WriteLine($"log-batch, {concurrency} client(s): {metrics / clock.Elapsed.TotalSeconds:N0} metrics/s");
}

var latencyRun = await NewRunAsync(experimentId);
var latencies = new List<double>();
for (var i = 0; i < 1200; i++)
{
    var body = $"{{\"run_id\":\"{latencyRun}\",\"key\":\"lat\",\"value\":{i},\"timestamp\":{1_700_000_000_000 + i},\"step\":{i}}}";
    var clock = Stopwatch.StartNew();
    await PostAsync("runs/log-metric", body);
    if (i >= 200)
    {
        latencies.Add(clock.Elapsed.TotalMilliseconds);
    }
}

Console.WriteLine($"log-metric latency: p50 {Percentile(latencies, 50):F3} ms, p99 {Percentile(latencies, 99):F3} ms");

var historyRun = await NewRunAsync(experimentId);
for (var b = 0; b < 50; b++)
{
    await PostAsync("runs/log-batch", Batch(historyRun, b * 1000L, "loss"));
}

var historyLatencies = new List<double>();
for (var i = 0; i < 12; i++)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.GetAsync($"metrics/get-history?run_id={historyRun}&metric_key=loss");
    var bytes = await response.Content.ReadAsByteArrayAsync();
    historyLatencies.Add(clock.Elapsed.TotalMilliseconds);
    if (i == 0)
    {
        Console.WriteLine($"history of loss: {JsonNode.Parse(bytes)!["metrics"]!.AsArray().Count} points, {bytes.Length / 1024} KB");
    }
}

Console.WriteLine($"get-history (transfer, no parse): p50 {Percentile(historyLatencies.Skip(2).ToList(), 50):F1} ms");
