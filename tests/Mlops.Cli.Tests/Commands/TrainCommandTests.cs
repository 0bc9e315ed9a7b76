using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary>
/// <c>mlops train</c> with the real binary against a real <c>mlops server</c> process and its embedded worker
/// (the class fixture), and against <c>mlops server --no-worker</c> with a separate <c>mlops worker</c> process.
/// Trains the shipped sample specs. Waits have a generous timeout and assert states, never durations.
/// </summary>
public sealed partial class TrainCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    /// <summary>A safety net against a hung test, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static string SpecsFolder { get; } = FindSpecsFolder();

    [Fact]
    public async Task Train_breast_cancer_with_wait_exits_0_and_prints_the_metrics_and_the_registered_version()
    {
        var result = (await server.RunAsync("train", Spec("breast-cancer-lightgbm.yaml"), "--wait")).ShouldSucceed();

        Assert.Matches(SubmittedLine(), result.Stdout);
        Assert.Contains("metrics.accuracy", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("metrics.auc", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Registered", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"breast-cancer/\d+", result.Stdout);
        Assert.Contains("fold 5", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_iris_with_wait_exits_0_and_prints_multiclass_metrics_and_the_registered_version()
    {
        var result = (await server.RunAsync("train", Spec("iris-lbfgs.yaml"), "--wait")).ShouldSucceed();

        Assert.Contains("metrics.macro_accuracy", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("metrics.micro_accuracy", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Registered", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"iris/\d+", result.Stdout);
    }

    [Fact]
    public async Task Train_diabetes_with_wait_exits_0_and_prints_regression_metrics_without_registering()
    {
        var result = (await server.RunAsync("train", Spec("diabetes-fasttree.yaml"), "--wait")).ShouldSucceed();

        Assert.Contains("metrics.rmse", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("metrics.r2", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("metrics.mae", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Registered", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_without_wait_prints_the_job_id_and_jobs_get_shows_it_succeeding()
    {
        var result = (await server.RunAsync("train", Spec("iris-lbfgs.yaml"))).ShouldSucceed();

        var id = SubmittedLine().Match(result.Stdout).Groups["id"].Value;
        Assert.NotEmpty(id);
        Assert.Contains($"mlops jobs logs {id} -f", result.Stdout, StringComparison.Ordinal);
        var final = await WaitForJobsGetAsync(id, "succeeded");
        Assert.Contains("train", final.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_a_missing_spec_file_exits_4_and_names_the_path()
    {
        var missing = Path.Combine(server.Home, "no-such-spec.yaml");

        var result = (await server.RunAsync("train", missing, "--wait")).ShouldExitWith(4);

        Assert.Contains("no-such-spec.yaml", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_an_invalid_spec_exits_4_and_names_the_field()
    {
        var folder = Path.Combine(server.Home, "invalid-spec-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var spec = Path.Combine(folder, "bad.yaml");
        File.WriteAllText(spec, File.ReadAllText(Path.Combine(SpecsFolder, "iris-lbfgs.yaml")).Replace("task: multiclass", "task: clustering", StringComparison.Ordinal));

        var result = (await server.RunAsync("train", spec, "--wait")).ShouldExitWith(4);

        Assert.Contains("task", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("clustering", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Submitted training job", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_wait_on_a_malformed_csv_exits_1_and_names_the_row_and_column()
    {
        var folder = Path.Combine(server.Home, "bad-csv-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "data.csv"), "a,b,label\n1,2,0\n3,x,1\n");
        var spec = Path.Combine(folder, "spec.yaml");
        File.WriteAllText(spec, "experiment: bad-csv\ndataset: {path: data.csv, label: label}\ntask: binary\ntrainer: {name: fasttree}\n");

        var result = (await server.RunAsync("train", spec, "--wait")).ShouldExitWith(1);

        Assert.Contains("row 2", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'b'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_wait_runs_on_a_separate_worker_process_when_the_server_has_no_worker()
    {
        using var home = new TempDirectory();
        await using var apiServer = await MlopsServerProcess.StartAsync(home.Path, ["--no-worker", "--port", "0", "--home", home.Path, "--quiet"]);
        var worker = Process.Start(MlopsCli.StartInfo(home.Path, ["worker", "--home", home.Path]))!;
        var workerOutput = new ConcurrentQueue<string>();
        worker.OutputDataReceived += (_, e) => workerOutput.Enqueue(e.Data ?? "");
        worker.ErrorDataReceived += (_, e) => workerOutput.Enqueue(e.Data ?? "");
        worker.StandardInput.Close();
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            var result = await MlopsCli.RunAsync(home.Path, ["train", Spec("breast-cancer-lightgbm.yaml"), "--wait", "--tracking-uri", apiServer.Uri]);

            Assert.True(result.ExitCode == 0, $"{result}\n--- worker ---\n{string.Join('\n', workerOutput)}");
            Assert.Contains("metrics.accuracy", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("Registered", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("breast-cancer/1", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                worker.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            await worker.WaitForExitAsync();
            worker.Dispose();
        }
    }

    private static string Spec(string name) => Path.Combine(SpecsFolder, name);

    private async Task<CliResult> WaitForJobsGetAsync(string id, string status)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var last = (await server.RunAsync("jobs", "get", id)).ShouldSucceed();
        while (!last.Stdout.Contains(status, StringComparison.Ordinal))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"job {id} was not {status} within {s_timeout.TotalSeconds} s; last seen\n{last}");
            }

            await Task.Delay(250);
            last = (await server.RunAsync("jobs", "get", id)).ShouldSucceed();
        }

        return last;
    }

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

    [GeneratedRegex(@"Submitted training job (?<id>\d+)")]
    private static partial Regex SubmittedLine();
}
