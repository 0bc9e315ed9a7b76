using System.Net;
using System.Security.Cryptography;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

public sealed class MlopsClientTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private MlopsClient? _client;

    private MlopsClient Client => _client ??= new MlopsClient(new HttpClient(_recorder) { BaseAddress = server.BaseAddress }, ownsHttpClient: true);

    public void Dispose()
    {
        _client?.Dispose();
        _recorder.Dispose();
    }

    private string TempFolder(string name)
    {
        var path = Path.Combine(server.Home, "client-" + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task Get_or_create_experiment_creates_once_and_then_finds_it()
    {
        var name = MlflowHttp.UniqueName("client");

        var first = await Client.GetOrCreateExperimentAsync(name);
        var second = await Client.GetOrCreateExperimentAsync(name);

        Assert.Equal(first, second);
        Assert.Equal(name, (await Client.GetExperimentAsync(first)).Name);
        Assert.Single(_recorder.BodiesOf("experiments/create"));
    }

    [Fact]
    public async Task Find_experiment_by_name_returns_null_for_an_unknown_name()
    {
        Assert.Null(await Client.FindExperimentByNameAsync(MlflowHttp.UniqueName("nobody")));
    }

    [Fact]
    public async Task Create_and_end_a_run()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-run"));

        var run = await Client.CreateRunAsync(experimentId, "train", new Dictionary<string, string> { ["team"] = "vision" });
        var ended = await Client.EndRunAsync(run.Info.RunId);

        Assert.Equal("RUNNING", run.Info.Status);
        Assert.Equal("train", run.Info.RunName);
        Assert.Equal(experimentId, run.Info.ExperimentId);
        Assert.Equal("FINISHED", ended.Status);
        Assert.NotNull(ended.EndTime);
        var fetched = await Client.GetRunAsync(run.Info.RunId);
        Assert.Equal("FINISHED", fetched.Info.Status);
        Assert.Contains(fetched.Data.Tags!, t => t.Key == "team" && t.Value == "vision");
    }

    [Fact]
    public async Task Create_run_with_a_parent_records_the_parent_tag()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-nested"));
        var parent = await Client.CreateRunAsync(experimentId, "parent");

        var child = await Client.CreateRunAsync(experimentId, "child", parentRunId: parent.Info.RunId);

        Assert.Contains(child.Data.Tags!, t => t.Key == "mlflow.parentRunId" && t.Value == parent.Info.RunId);
    }

    [Fact]
    public async Task Log_batch_splits_2500_metrics_and_150_params_into_requests_within_the_limits()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-batch"));
        var run = await Client.CreateRunAsync(experimentId);
        var metrics = Enumerable.Range(0, 2500).Select(i => new MetricDto("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i)).ToList();
        var parameters = Enumerable.Range(0, 150).ToDictionary(i => $"p{i:D3}", i => $"v{i}");

        await Client.LogBatchAsync(run.Info.RunId, metrics, parameters);

        var batches = _recorder.BodiesOf("runs/log-batch");
        Assert.True(batches.Count >= 3, $"{batches.Count} requests");
        Assert.All(batches, b =>
        {
            var metricCount = b!["metrics"]?.AsArray().Count ?? 0;
            var paramCount = b["params"]?.AsArray().Count ?? 0;
            var tagCount = b["tags"]?.AsArray().Count ?? 0;
            Assert.InRange(metricCount, 0, 1000);
            Assert.InRange(paramCount, 0, 100);
            Assert.InRange(metricCount + paramCount + tagCount, 1, 1000);
        });
        Assert.Equal(2500, batches.Sum(b => b!["metrics"]?.AsArray().Count ?? 0));
        Assert.Equal(150, batches.Sum(b => b!["params"]?.AsArray().Count ?? 0));

        var history = await Client.GetMetricHistoryAsync(run.Info.RunId, "loss");
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long?)i), history.Select(p => p.Step));
        Assert.Equal(metrics.Select(m => m.Value), history.Select(p => p.Value));
        var stored = await Client.GetRunAsync(run.Info.RunId);
        Assert.Equal(parameters.OrderBy(p => p.Key, StringComparer.Ordinal), stored.Data.Params!.Select(p => new KeyValuePair<string, string>(p.Key!, p.Value!)).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Log_batch_with_params_and_tags_only_sends_them_all()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-tags"));
        var run = await Client.CreateRunAsync(experimentId);
        var tags = Enumerable.Range(0, 230).ToDictionary(i => $"t{i}", i => "x");

        await Client.LogBatchAsync(run.Info.RunId, tags: tags);

        var stored = await Client.GetRunAsync(run.Info.RunId);
        Assert.Equal(230, stored.Data.Tags!.Count(t => t.Key!.StartsWith('t')));
    }

    [Fact]
    public async Task Single_value_calls_reach_the_run()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-single"));
        var runId = (await Client.CreateRunAsync(experimentId)).Info.RunId;

        await Client.LogMetricAsync(runId, "acc", 0.75, step: 2);
        await Client.LogMetricAsync(runId, "acc", double.NaN, step: 3);
        await Client.LogParamAsync(runId, "lr", "0.01");
        await Client.SetTagAsync(runId, "keep", "1");
        await Client.SetTagAsync(runId, "drop", "1");
        await Client.DeleteTagAsync(runId, "drop");

        var run = await Client.GetRunAsync(runId);
        var acc = Assert.Single(run.Data.Metrics!);
        Assert.True(double.IsNaN(acc.Value!.Value));
        Assert.Equal(3, acc.Step);
        Assert.Equal("0.01", Assert.Single(run.Data.Params!).Value);
        Assert.Contains(run.Data.Tags!, t => t.Key == "keep");
        Assert.DoesNotContain(run.Data.Tags!, t => t.Key == "drop");
        Assert.Equal([0.75, double.NaN], (await Client.GetMetricHistoryAsync(runId, "acc")).Select(p => p.Value!.Value));
    }

    [Fact]
    public async Task Experiment_lifecycle_calls_work()
    {
        var id = await Client.CreateExperimentAsync(MlflowHttp.UniqueName("client-lifecycle"), tags: new Dictionary<string, string> { ["a"] = "1" });
        var newName = MlflowHttp.UniqueName("client-renamed");

        await Client.RenameExperimentAsync(id, newName);
        await Client.SetExperimentTagAsync(id, "b", "2");
        await Client.DeleteExperimentAsync(id);
        var deleted = await Client.GetExperimentAsync(id);
        await Client.RestoreExperimentAsync(id);
        var restored = await Client.GetExperimentAsync(id);

        Assert.Equal(newName, restored.Name);
        Assert.Equal("deleted", deleted.LifecycleStage);
        Assert.Equal("active", restored.LifecycleStage);
        Assert.Equal(["a", "b"], restored.Tags!.Select(t => t.Key).Order());
        var search = await Client.SearchExperimentsAsync($"name = '{newName}'");
        Assert.Equal(id, Assert.Single(search.Experiments!).ExperimentId);
    }

    [Fact]
    public async Task Run_lifecycle_and_search_calls_work()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-search"));
        var keep = (await Client.CreateRunAsync(experimentId, "keep")).Info.RunId;
        var drop = (await Client.CreateRunAsync(experimentId, "drop")).Info.RunId;
        await Client.LogMetricAsync(keep, "acc", 0.9);
        await Client.LogMetricAsync(drop, "acc", 0.1);

        await Client.DeleteRunAsync(drop);
        var active = await Client.SearchRunsAsync([experimentId]);
        var deleted = await Client.SearchRunsAsync([experimentId], viewType: "DELETED_ONLY");
        await Client.RestoreRunAsync(drop);
        var best = await Client.SearchRunsAsync([experimentId], "metrics.acc > 0.5", ["metrics.acc DESC"], maxResults: 5);

        Assert.Equal(keep, Assert.Single(active.Runs!).Info.RunId);
        Assert.Equal(drop, Assert.Single(deleted.Runs!).Info.RunId);
        Assert.Equal(keep, Assert.Single(best.Runs!).Info.RunId);
        Assert.Equal("active", (await Client.GetRunAsync(drop)).Info.LifecycleStage);
    }

    [Fact]
    public async Task Search_all_runs_follows_page_tokens_past_the_first_page()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-many"));
        var created = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1003), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, token) =>
            created.Add((await Client.CreateRunAsync(experimentId, cancellationToken: token)).Info.RunId));

        var found = new List<string>();
        await foreach (var run in Client.SearchAllRunsAsync([experimentId]))
        {
            found.Add(run.Info.RunId);
        }

        Assert.Equal(created.Order(), found.Order());
        var searches = _recorder.BodiesOf("runs/search");
        Assert.Equal(2, searches.Count);
        Assert.Null(searches[0]!["page_token"]);
        Assert.NotNull(searches[1]!["page_token"]);
    }

    [Fact]
    public async Task Upload_a_folder_and_download_it_with_identical_bytes()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-artifacts"));
        var runId = (await Client.CreateRunAsync(experimentId)).Info.RunId;
        var source = TempFolder("src");
        var files = new Dictionary<string, byte[]>
        {
            ["model.bin"] = RandomNumberGenerator.GetBytes(300_000),
            ["MLmodel"] = "flavors: {}\n"u8.ToArray(),
            [Path.Combine("data", "train.csv")] = "a,b\n1,2\n"u8.ToArray(),
            [Path.Combine("data", "nested", "deep.txt")] = RandomNumberGenerator.GetBytes(1000),
            ["empty.txt"] = [],
        };
        foreach (var (relative, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, relative))!);
            await File.WriteAllBytesAsync(Path.Combine(source, relative), bytes);
        }

        await Client.UploadArtifactsAsync(runId, source, "model");
        var folder = await Client.DownloadArtifactsAsync(runId, "model", TempFolder("dst"));
        var everything = TempFolder("all");
        await Client.DownloadArtifactsAsync(runId, null, everything);

        Assert.Equal("model", Path.GetFileName(folder));
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(folder, relative)));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(everything, "model", relative)));
        }

        Assert.Equal(files.Count, Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count());
        var listing = await Client.ListArtifactsAsync(runId, "model");
        Assert.Equal(["model/MLmodel", "model/data", "model/empty.txt", "model/model.bin"], listing.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(300_000, listing.Single(f => f.Path == "model/model.bin").FileSize);
    }

    [Fact]
    public async Task Upload_a_single_file_or_stream_and_read_it_back()
    {
        var experimentId = await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-file"));
        var runId = (await Client.CreateRunAsync(experimentId)).Info.RunId;
        var local = Path.Combine(TempFolder("file"), "report.txt");
        await File.WriteAllTextAsync(local, "report");

        await Client.UploadArtifactsAsync(runId, local, "reports");
        using (var stream = new MemoryStream("streamed"u8.ToArray()))
        {
            await Client.UploadArtifactAsync(runId, stream, "plots/notes.txt");
        }

        await using (var read = await Client.OpenArtifactAsync(runId, "reports/report.txt"))
        using (var reader = new StreamReader(read))
        {
            Assert.Equal("report", await reader.ReadToEndAsync());
        }

        var downloaded = await Client.DownloadArtifactsAsync(runId, "plots/notes.txt", TempFolder("single"));
        Assert.Equal("streamed", await File.ReadAllTextAsync(downloaded));
        Assert.Equal("notes.txt", Path.GetFileName(downloaded));
    }

    [Fact]
    public async Task Api_errors_carry_the_mlflow_error_code_and_status()
    {
        var missing = await Assert.ThrowsAsync<MlopsApiException>(() => Client.GetRunAsync(Guid.NewGuid().ToString("N")));
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("not found", missing.Message, StringComparison.Ordinal);

        var name = MlflowHttp.UniqueName("client-dup");
        await Client.CreateExperimentAsync(name);
        var duplicate = await Assert.ThrowsAsync<MlopsApiException>(() => Client.CreateExperimentAsync(name));
        Assert.Equal("RESOURCE_ALREADY_EXISTS", duplicate.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);

        var experimentNotFound = await Assert.ThrowsAsync<MlopsApiException>(() => Client.GetExperimentAsync("987654321"));
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", experimentNotFound.ErrorCode);

        var runId = (await Client.CreateRunAsync(await Client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-errors")))).Info.RunId;
        await Client.LogParamAsync(runId, "lr", "1");
        var changed = await Assert.ThrowsAsync<MlopsApiException>(() => Client.LogParamAsync(runId, "lr", "2"));
        Assert.Equal("INVALID_PARAMETER_VALUE", changed.ErrorCode);

        var artifact = await Assert.ThrowsAsync<MlopsApiException>(() => Client.OpenArtifactAsync(runId, "nothing.txt"));
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", artifact.ErrorCode);
    }

    [Fact]
    public async Task Is_healthy_is_true_for_the_server_and_false_for_a_closed_port()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var nowhere = new MlopsClient($"http://127.0.0.1:{closedPort}");

        Assert.True(await Client.IsHealthyAsync());
        Assert.False(await nowhere.IsHealthyAsync());
    }

    [Fact]
    public async Task A_client_built_from_a_tracking_uri_talks_to_the_server()
    {
        using var client = new MlopsClient(server.BaseAddress.AbsoluteUri.TrimEnd('/'));

        var id = await client.GetOrCreateExperimentAsync(MlflowHttp.UniqueName("client-uri"));

        Assert.Equal(id, (await client.GetExperimentAsync(id)).ExperimentId);
    }
}
