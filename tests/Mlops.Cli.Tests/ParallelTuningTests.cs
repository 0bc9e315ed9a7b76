using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests;

/// <summary>
/// A tuning study spread over two <c>mlops worker</c> processes sharing one home with a <c>mlops server --no-worker</c>
/// process, one worker killed (SIGKILL, no hand-back) while it runs a trial. Jobs are polled to see who holds which
/// lease; the study is read until it ends (reading also catches it up). Short leases keep the takeover quick; waits
/// have a generous timeout and assert states, never durations.
/// </summary>
public sealed partial class ParallelTuningTests
{
    /// <summary>A safety net against a hung study, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    private const int Trials = 6;

    [Fact]
    public async Task A_tuning_study_on_two_workers_completes_every_trial_once_when_one_worker_is_killed_mid_trial()
    {
        using var home = new TempDirectory();
        using var specFolder = new TempDirectory();
        var model = "parallel-tuned";
        var spec = StudiesCliTests.WriteSpec(specFolder.Path, model);
        var name = "parallel-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await MlopsServerProcess.StartAsync(home.Path, ["--no-worker", "--port", "0", "--home", home.Path, "--quiet"]);
        using var http = new HttpClient { BaseAddress = new Uri(server.Uri) };
        string[] workerArguments = ["--home", home.Path, "--lease-seconds", "4"];
        await using var workerA = await MlopsWorkerProcess.StartAsync(home.Path, workerArguments);
        await using var workerB = await MlopsWorkerProcess.StartAsync(home.Path, workerArguments);
        var owners = new Dictionary<long, HashSet<string>>();

        var tune = (await MlopsCli.RunAsync(home.Path, ["tune", spec, "--trials", Text(Trials), "--parallel", "2", "--name", name, "--no-wait", "--json", "--tracking-uri", server.Uri]))
            .ShouldSucceed().Json()["study"]!;
        var victim = await WaitForAsync(http, owners, jobs => jobs.FirstOrDefault(j => Status(j) == "running" && Owner(j) == workerA.WorkerId), "a trial job running on worker A", workerA, workerB);
        await workerA.KillAsync();
        var victimId = victim["id"]!.GetValue<long>();
        var study = await WaitForStudyAsync(http, owners, name, workerA, workerB);

        Assert.Equal(Trials, tune["planned_trials"]!.GetValue<int>());
        Assert.Equal(2, tune["parallel"]!.GetValue<int>());
        Assert.True(study["status"]!.GetValue<string>() == "completed", $"study ended {study.ToJsonString()}\n{Transcript(workerA, workerB)}");
        var trials = (await GetAsync(http, $"api/v1/studies/{name}/trials"))["trials"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, Trials), trials.Select(t => t!["number"]!.GetValue<int>()));
        Assert.All(trials, t => Assert.True(State(t!) == "complete", $"trial {t!["number"]} is {State(t)}: {t["error"]}\n{Transcript(workerA, workerB)}"));
        var trialJobs = trials.Select(t => t!["job_id"]!.GetValue<long>()).ToList();
        Assert.Equal(Trials, trialJobs.Distinct().Count());
        Assert.Equal(Trials, trials.Select(t => t!["run_id"]!.GetValue<string>()).Distinct().Count());
        Assert.Contains(victimId, trialJobs);

        // The last trial is told before its job is marked succeeded, so the study may end a moment before its jobs.
        await WaitForAsync(http, owners, jobs => jobs.All(j => Status(j) is "succeeded" or "failed" or "cancelled") ? jobs[0] : null, "end of every train job", workerA, workerB);
        var jobs = await ListTrainJobsAsync(http);
        Assert.Equal(trialJobs.Order(), jobs.Select(j => j["id"]!.GetValue<long>()).Order());
        Assert.All(jobs, j => Assert.True(Status(j) == "succeeded", $"job {j["id"]} ended {Status(j)}: {j["error"]}"));
        var rerun = jobs.Single(j => j["id"]!.GetValue<long>() == victimId);
        Assert.Equal(2, rerun["attempts"]!.GetValue<int>());
        Assert.Equal([workerA.WorkerId, workerB.WorkerId], owners[victimId].Order());
        Assert.Equal([workerA.WorkerId, workerB.WorkerId], owners.Values.SelectMany(o => o).Distinct().Order());
        Assert.Contains($"Job {victimId} (train) running, attempt 2 of 2", workerB.Output, StringComparison.Ordinal);
        Assert.Contains($"Job {victimId} succeeded", workerB.Output, StringComparison.Ordinal);

        var best = Assert.Single(study["best_trials"]!.AsArray())!;
        Assert.Equal(trials.Max(t => t!["values"]![0]!.GetValue<double>()), best["values"]![0]!.GetValue<double>());
        var versions = (await GetAsync(http, $"api/2.0/mlflow/model-versions/search?filter={Uri.EscapeDataString($"name = '{model}'")}"))["model_versions"]!.AsArray();
        var version = Assert.Single(versions)!;
        Assert.Equal(best["run_id"]!.GetValue<string>(), version["run_id"]!.GetValue<string>());
        Assert.Equal("1", version["version"]!.GetValue<string>());
    }

    // ---------------------------------------------------------------- helpers

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Status(JsonNode job) => job["status"]?.GetValue<string>();

    private static string? State(JsonNode trial) => trial["state"]?.GetValue<string>();

    private static string? Owner(JsonNode job) => job["lease_owner"]?.GetValue<string>();

    private static string Transcript(MlopsWorkerProcess a, MlopsWorkerProcess b) => $"--- worker A ---\n{a.Output}\n--- worker B ---\n{b.Output}";

    private static async Task<JsonNode> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<List<JsonNode>> ListTrainJobsAsync(HttpClient http) =>
        [.. (await GetAsync(http, "api/v1/jobs?kind=train&max_results=1000"))["jobs"]!.AsArray().Select(j => j!)];

    /// <summary>Lists the train jobs and notes, for each, every worker seen holding its lease.</summary>
    private static async Task<List<JsonNode>> ObserveAsync(HttpClient http, Dictionary<long, HashSet<string>> owners)
    {
        var jobs = await ListTrainJobsAsync(http);
        foreach (var job in jobs)
        {
            if (Status(job) == "running" && Owner(job) is { } owner)
            {
                var id = job["id"]!.GetValue<long>();
                if (!owners.TryGetValue(id, out var seen))
                {
                    owners[id] = seen = [];
                }

                seen.Add(owner);
            }
        }

        return jobs;
    }

    private static async Task<JsonNode> WaitForAsync(HttpClient http, Dictionary<long, HashSet<string>> owners, Func<List<JsonNode>, JsonNode?> find, string what, MlopsWorkerProcess a, MlopsWorkerProcess b)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var jobs = await ObserveAsync(http, owners);
            if (find(jobs) is { } found)
            {
                return found;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"No {what} within {s_timeout.TotalMinutes} min; jobs: {string.Join("; ", jobs.Select(j => j.ToJsonString()))}\n{Transcript(a, b)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Reads the study until it is no longer running, observing lease owners meanwhile.</summary>
    private static async Task<JsonNode> WaitForStudyAsync(HttpClient http, Dictionary<long, HashSet<string>> owners, string name, MlopsWorkerProcess a, MlopsWorkerProcess b)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var jobs = await ObserveAsync(http, owners);
            var study = (await GetAsync(http, $"api/v1/studies/{name}"))["study"]!;
            if (study["status"]!.GetValue<string>() != "running")
            {
                return study;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Study {name} still running after {s_timeout.TotalMinutes} min: {study["trial_counts"]?.ToJsonString()}; " +
                    $"jobs: {string.Join("; ", jobs.Select(j => $"{j["id"]} {Status(j)} attempts {j["attempts"]} owner {Owner(j)} {j["error"]}"))}\n{Transcript(a, b)}");
            }

            await Task.Delay(100);
        }
    }
}
