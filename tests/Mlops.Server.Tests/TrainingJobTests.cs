using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Application.Jobs;
using Mlops.Application.Ports;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Infrastructure;
using Mlops.Worker;

namespace Mlops.Server.Tests;

/// <summary>
/// Training jobs end to end: a real server (Kestrel on port 0, a SQLite file in a temp home) with its embedded
/// worker trains the shipped sample specs with ML.NET and tracks, stores and registers the results. Waits have a
/// generous timeout and assert states, never durations.
/// </summary>
public sealed class TrainingJobTests : IAsyncLifetime
{
    /// <summary>A safety net against a hung test, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private readonly string _home = Path.Combine(Path.GetTempPath(), "mlops-training-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private HttpClient? _http;
    private MlopsClient? _client;

    private WebApplication App => _app ?? throw new InvalidOperationException("Call StartServerAsync first.");

    private HttpClient Http => _http ?? throw new InvalidOperationException("Call StartServerAsync first.");

    private MlopsClient Client => _client ?? throw new InvalidOperationException("Call StartServerAsync first.");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not fail the run; the folder is under the temp directory.
        }
    }

    [Fact]
    public async Task Trains_the_breast_cancer_spec_and_tracks_params_fold_metrics_artifacts_and_the_dataset_input()
    {
        await StartServerAsync(FastWorker());

        var job = await TrainAsync("breast-cancer-lightgbm.yaml");

        Assert.Equal("succeeded", job.Status);
        Assert.Equal(1, job.Attempts);
        var result = JsonNode.Parse(job.Result!)!;
        var run = await Client.GetRunAsync((string)result["run_id"]!);
        Assert.Equal("FINISHED", run.Info.Status);
        var parameters = run.Data.Params!.ToDictionary(p => p.Key!, p => p.Value);
        Assert.Equal("binary", parameters["task"]);
        Assert.Equal("lightgbm", parameters["trainer"]);
        Assert.Equal("label", parameters["label"]);
        Assert.Equal("42", parameters["seed"]);
        var tags = run.Data.Tags!.ToDictionary(t => t.Key!, t => t.Value);
        Assert.Equal(job.Id.ToString(CultureInfo.InvariantCulture), tags[TrainingJobHandler.JobIdTag]);
        var foldAuc = await Client.GetMetricHistoryAsync(run.Info.RunId, "fold_auc");
        Assert.Equal([0L, 1, 2, 3, 4], foldAuc.Select(m => m.Step).Order());
        var metrics = run.Data.Metrics!.ToDictionary(m => m.Key!, m => m.Value);
        foreach (var name in new[] { "auc", "accuracy", "f1", "log_loss", "auc_std", "accuracy_std", "fit_seconds" })
        {
            Assert.True(metrics.ContainsKey(name), $"metric {name} missing; has {string.Join(", ", metrics.Keys)}");
        }

        Assert.Equal(foldAuc.Average(m => m.Value ?? double.NaN), metrics["auc"] ?? double.NaN, 9);
        Assert.True(metrics["auc"] > 0.95, $"auc {metrics["auc"]}");
        Assert.True(metrics["fit_seconds"] >= 0);

        var top = (await Client.ListArtifactsAsync(run.Info.RunId)).Select(f => f.Path).ToList();
        Assert.Contains("model", top);
        Assert.Contains("feature_importance.json", top);
        Assert.Contains("data_profile.json", top);
        var model = (await Client.ListArtifactsAsync(run.Info.RunId, "model")).Select(f => f.Path).ToList();
        Assert.Contains("model/MLmodel", model);
        Assert.Contains("model/model.zip", model);

        var importance = JsonNode.Parse(await ReadArtifactAsync(run.Info.RunId, "feature_importance.json"))!.AsObject();
        Assert.NotEmpty(importance);
        Assert.Contains("mean_radius", importance.Select(p => p.Key));
        var profile = JsonNode.Parse(await ReadArtifactAsync(run.Info.RunId, "data_profile.json"))!;
        Assert.Contains("569", profile.ToJsonString(), StringComparison.Ordinal);

        var input = Assert.Single(run.Inputs!.DatasetInputs!);
        Assert.Equal("breast_cancer", input.Dataset!.Name);
        Assert.Equal(16, input.Dataset.Digest!.Length);
        Assert.Contains("569", input.Dataset.Profile!, StringComparison.Ordinal);
        Assert.Contains(input.Tags!, t => t.Value == "training");
    }

    [Fact]
    public async Task Trains_the_breast_cancer_spec_and_registers_it_with_the_champion_alias()
    {
        await StartServerAsync(FastWorker());

        var job = await TrainAsync("breast-cancer-lightgbm.yaml");

        Assert.Equal("succeeded", job.Status);
        var result = JsonNode.Parse(job.Result!)!;
        Assert.Equal("breast-cancer/1", (string?)result["model_version"]);
        var champion = await Client.GetModelVersionByAliasAsync("breast-cancer", "champion");
        Assert.Equal("1", champion.Version);
        Assert.Equal((string)result["run_id"]!, champion.RunId);
        Assert.Contains(champion.Tags!, t => t.Key == TrainingJobHandler.JobIdTag && t.Value == job.Id.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Trains_the_iris_multiclass_spec_with_macro_accuracy_per_fold_and_registers_it()
    {
        await StartServerAsync(FastWorker());

        var job = await TrainAsync("iris-lbfgs.yaml");

        Assert.Equal("succeeded", job.Status);
        var result = JsonNode.Parse(job.Result!)!;
        var run = await Client.GetRunAsync((string)result["run_id"]!);
        var metrics = run.Data.Metrics!.ToDictionary(m => m.Key!, m => m.Value);
        Assert.True(metrics["macro_accuracy"] > 0.85, $"macro_accuracy {metrics["macro_accuracy"]}");
        Assert.True(metrics.ContainsKey("micro_accuracy"));
        var folds = await Client.GetMetricHistoryAsync(run.Info.RunId, "fold_macro_accuracy");
        Assert.Equal([0L, 1, 2, 3, 4], folds.Select(m => m.Step).Order());
        Assert.Equal("0.01", run.Data.Params!.Single(p => p.Key == "l2_regularization").Value);
        Assert.Equal("iris/1", (string?)result["model_version"]);
        var versions = (await Client.SearchModelVersionsAsync("name = 'iris'")).ModelVersions!;
        Assert.Single(versions);
    }

    [Fact]
    public async Task Trains_the_diabetes_regression_spec_without_registering_it()
    {
        await StartServerAsync(FastWorker());

        var job = await TrainAsync("diabetes-fasttree.yaml");

        Assert.Equal("succeeded", job.Status);
        var result = JsonNode.Parse(job.Result!)!;
        Assert.Null((string?)result["model_version"]);
        var run = await Client.GetRunAsync((string)result["run_id"]!);
        var metrics = run.Data.Metrics!.ToDictionary(m => m.Key!, m => m.Value);
        Assert.True(metrics["r2"] > 0.2, $"r2 {metrics["r2"]}");
        Assert.True(metrics["rmse"] > 0);
        Assert.True(metrics.ContainsKey("mae"));
        var folds = await Client.GetMetricHistoryAsync(run.Info.RunId, "fold_rmse");
        Assert.Equal([0L, 1, 2, 3, 4], folds.Select(m => m.Step).Order());
        var model = (await Client.ListArtifactsAsync(run.Info.RunId, "model")).Select(f => f.Path).ToList();
        Assert.Contains("model/model.zip", model);
        Assert.Empty((await Client.SearchRegisteredModelsAsync()).RegisteredModels ?? []);
    }

    [Fact]
    public async Task Refuses_an_invalid_spec_at_submission_with_400_naming_the_field()
    {
        await StartServerAsync(FastWorker());
        var spec = File.ReadAllText(SpecPath("iris-lbfgs.yaml")).Replace("task: multiclass", "task: clustering", StringComparison.Ordinal);

        var (status, body) = await PostTrainAsync(spec, SpecsFolder);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("task", body, StringComparison.Ordinal);
        Assert.Contains("clustering", body, StringComparison.Ordinal);
        Assert.Empty((await Client.ListJobsAsync()).Jobs ?? []);
    }

    [Fact]
    public async Task Refuses_a_spec_with_an_unknown_trainer_at_submission_with_400_naming_the_field()
    {
        await StartServerAsync(FastWorker());
        var spec = File.ReadAllText(SpecPath("iris-lbfgs.yaml")).Replace("name: lbfgs_logistic", "name: xgboost", StringComparison.Ordinal);

        var (status, body) = await PostTrainAsync(spec, SpecsFolder);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("trainer", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_a_job_whose_csv_has_a_word_in_a_numeric_column_without_retrying_and_names_the_row_and_column()
    {
        await StartServerAsync(FastWorker());
        var folder = Path.Combine(_home, "bad-data");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "bad.csv"), "x1,x2,label\n1.0,2.0,0\n1.5,2.5,1\n3.0,oops,0\n2.0,1.0,1\n");
        const string spec = "experiment: bad-data\ndataset: {path: bad.csv, label: label}\ntask: binary\ntrainer: {name: fasttree}\n";

        var submitted = await Client.SubmitTrainingAsync(spec, folder, maxAttempts: 3);
        var job = await WaitForJobAsync(submitted.Id);

        Assert.Equal("failed", job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Contains("row 3", job.Error, StringComparison.Ordinal);
        Assert.Contains("line 4", job.Error, StringComparison.Ordinal);
        Assert.Contains("'x2'", job.Error, StringComparison.Ordinal);
        Assert.Contains("oops", job.Error, StringComparison.Ordinal);
        var experiment = await Client.FindExperimentByNameAsync("bad-data");
        Assert.NotNull(experiment);
        var run = Assert.Single((await Client.SearchRunsAsync([experiment.ExperimentId])).Runs!);
        Assert.Equal("FAILED", run.Info.Status);
    }

    [Fact]
    public async Task Fails_a_job_whose_csv_has_a_ragged_row_naming_the_row()
    {
        await StartServerAsync(FastWorker());
        var folder = Path.Combine(_home, "ragged-data");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "ragged.csv"), "x1,x2,label\n1.0,2.0,0\n1.5,1\n");
        const string spec = "experiment: ragged\ndataset: {path: ragged.csv, label: label}\ntask: binary\ntrainer: {name: fasttree}\n";

        var submitted = await Client.SubmitTrainingAsync(spec, folder, maxAttempts: 3);
        var job = await WaitForJobAsync(submitted.Id);

        Assert.Equal("failed", job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Contains("row 2 (line 3)", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_job_that_had_already_registered_its_model_does_not_register_a_second_version()
    {
        // No embedded worker: the test plays the worker through the queue, so the retry happens at a known point.
        await StartServerAsync(worker: null);
        var queue = App.Services.GetRequiredService<IJobQueue>();
        var handler = App.Services.GetServices<IJobHandler>().Single(h => h.Kind == "train");
        var submitted = await Client.SubmitTrainingAsync(File.ReadAllText(SpecPath("breast-cancer-lightgbm.yaml")), SpecsFolder, maxAttempts: 3);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var first = await queue.ClaimAsync(["default"], "test-worker", TimeSpan.FromMinutes(5), now, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(submitted.Id, first.Id);
        await handler.RunAsync(new JobContext(first), CancellationToken.None);
        // The worker dies after registering but before completing: the job fails retryably and is claimed again
        // (the claim's clock is moved past the backoff rather than waiting for it).
        var failed = await queue.FailAsync(first.Id, "test-worker", "worker lost after registering", retryable: true, now, CancellationToken.None);
        Assert.NotNull(failed);
        Assert.Equal(Mlops.Domain.Jobs.JobStatus.Queued, failed.Status);
        var second = await queue.ClaimAsync(["default"], "test-worker-2", TimeSpan.FromMinutes(5), now + 3_600_000, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Equal(submitted.Id, second.Id);
        Assert.Equal(2, second.Attempts);
        var result = await handler.RunAsync(new JobContext(second), CancellationToken.None);
        Assert.True(await queue.CompleteAsync(second.Id, "test-worker-2", result, now + 3_600_001, CancellationToken.None));

        var versions = (await Client.SearchModelVersionsAsync("name = 'breast-cancer'")).ModelVersions!;
        var version = Assert.Single(versions);
        Assert.Equal("1", version.Version);
        Assert.Contains(version.Tags!, t => t.Key == TrainingJobHandler.JobIdTag && t.Value == submitted.Id.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("breast-cancer/1", (string?)JsonNode.Parse(result!)!["model_version"]);
        Assert.Equal("1", (await Client.GetModelVersionByAliasAsync("breast-cancer", "champion")).Version);
        var experiment = await Client.FindExperimentByNameAsync("breast-cancer");
        Assert.Equal(2, (await Client.SearchRunsAsync([experiment!.ExperimentId])).Runs!.Count);
    }

    [Fact]
    public async Task A_second_job_with_the_same_spec_registers_a_new_version()
    {
        await StartServerAsync(worker: null);
        var queue = App.Services.GetRequiredService<IJobQueue>();
        var handler = App.Services.GetServices<IJobHandler>().Single(h => h.Kind == "train");
        var spec = File.ReadAllText(SpecPath("iris-lbfgs.yaml"));
        await Client.SubmitTrainingAsync(spec, SpecsFolder);
        await Client.SubmitTrainingAsync(spec, SpecsFolder);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        for (var i = 0; i < 2; i++)
        {
            var job = await queue.ClaimAsync(["default"], "test-worker", TimeSpan.FromMinutes(5), now, CancellationToken.None);
            Assert.NotNull(job);
            var result = await handler.RunAsync(new JobContext(job), CancellationToken.None);
            Assert.True(await queue.CompleteAsync(job.Id, "test-worker", result, now, CancellationToken.None));
        }

        var versions = (await Client.SearchModelVersionsAsync("name = 'iris'")).ModelVersions!;
        Assert.Equal(["1", "2"], versions.Select(v => v.Version).Order());
    }

    private static WorkerOptions FastWorker() => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        Lease = TimeSpan.FromSeconds(30),
    };

    private static string SpecsFolder { get; } = FindSpecsFolder();

    private static string SpecPath(string name) => Path.Combine(SpecsFolder, name);

    private static string FindSpecsFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return Path.Combine(directory.FullName, "samples", "specs");
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }

    private async Task StartServerAsync(WorkerOptions? worker)
    {
        _app = MlopsServer.Build(new MlopsServerOptions
        {
            Port = 0,
            Host = "127.0.0.1",
            LogLevel = LogLevel.Warning,
            Storage = new MlopsStorageOptions { Home = _home },
            Worker = worker,
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(MlopsServer.Addresses(_app)[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(1) };
        _client = new MlopsClient(new HttpClient { BaseAddress = _http.BaseAddress, Timeout = TimeSpan.FromMinutes(1) }, ownsHttpClient: true);
    }

    private async Task<JobDto> TrainAsync(string specName)
    {
        var submitted = await Client.SubmitTrainingAsync(File.ReadAllText(SpecPath(specName)), SpecsFolder);
        Assert.Equal("train", submitted.Kind);
        var job = await WaitForJobAsync(submitted.Id);
        Assert.True(job.Status == "succeeded", $"job {job.Id} ended {job.Status}: {job.Error}");
        return job;
    }

    private async Task<(HttpStatusCode Status, string Body)> PostTrainAsync(string spec, string basePath)
    {
        var body = new JsonObject { ["spec"] = spec, ["base_path"] = basePath }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("api/v1/train", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> ReadArtifactAsync(string runId, string path)
    {
        await using var stream = await Client.OpenArtifactAsync(runId, path);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<JobDto> WaitForJobAsync(long id)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var last = await Client.GetJobAsync(id);
        while (last.Status is not ("succeeded" or "failed" or "cancelled"))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"job {id} did not finish within {s_timeout.TotalSeconds} s; last seen {last.Status}, attempts {last.Attempts}, error {last.Error}");
            }

            await Task.Delay(100);
            last = await Client.GetJobAsync(id);
        }

        return last;
    }
}
