using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary>
/// <c>mlops worker</c> and <c>mlops jobs</c> with the real binary. Worker tests run their own
/// <c>mlops server --no-worker</c> and one or two <c>mlops worker</c> processes on the same home, then kill or
/// stop them; the jobs commands run against the class's server and its embedded worker. Jobs are the
/// diagnostic "noop" kind. Waits have a generous timeout and assert states, never durations.
/// </summary>
public sealed partial class WorkerCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    /// <summary>A safety net against a hung test, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(45);

    // ---------------------------------------------------------------- mlops worker

    [Fact]
    public async Task Worker_killed_mid_job_loses_its_lease_and_a_second_worker_claims_the_job_again()
    {
        using var home = new TempDirectory();
        await using var apiServer = await MlopsServerProcess.StartAsync(home.Path, ["--no-worker", "--port", "0", "--home", home.Path, "--quiet"]);
        using var http = new HttpClient { BaseAddress = new Uri(apiServer.Uri) };
        var id = await SubmitAsync(http, """{"kind": "noop", "payload": {"sleep_ms": 60000}, "max_attempts": 3}""");

        await using var first = await MlopsWorkerProcess.StartAsync(home.Path, ["--home", home.Path, "--lease-seconds", "2"]);
        var running = await WaitForJobAsync(http, id, j => Status(j) == "running" && Owner(j) == first.WorkerId, first);
        await first.KillAsync();
        await using var second = await MlopsWorkerProcess.StartAsync(home.Path, ["--home", home.Path, "--lease-seconds", "2"]);
        var reclaimed = await WaitForJobAsync(http, id, j => Owner(j) == second.WorkerId, second);
        await PostAsync(http, $"api/v1/jobs/{id}/cancel", "{}");
        var ended = await WaitForJobAsync(http, id, IsFinal, second);

        Assert.Equal(1, running["attempts"]!.GetValue<int>());
        Assert.Equal("running", Status(reclaimed));
        Assert.Equal(2, reclaimed["attempts"]!.GetValue<int>());
        Assert.Equal("cancelled", Status(ended));
        Assert.Equal(2, ended["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Worker_receiving_SIGTERM_hands_its_running_job_back_and_exits_0()
    {
        using var home = new TempDirectory();
        await using var apiServer = await MlopsServerProcess.StartAsync(home.Path, ["--no-worker", "--port", "0", "--home", home.Path, "--quiet"]);
        using var http = new HttpClient { BaseAddress = new Uri(apiServer.Uri) };
        var id = await SubmitAsync(http, """{"kind": "noop", "payload": {"sleep_ms": 60000}, "max_attempts": 3}""");
        await using var worker = await MlopsWorkerProcess.StartAsync(home.Path, ["--home", home.Path, "--lease-seconds", "30"]);
        await WaitForJobAsync(http, id, j => Status(j) == "running" && Owner(j) == worker.WorkerId, worker);

        worker.Terminate();
        var exitCode = await worker.WaitForExitAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{worker.Output}");
        Assert.Contains($"Job {id} handed back to the queue", worker.Output, StringComparison.Ordinal);
        var job = await GetJobAsync(http, id);
        Assert.Equal("queued", Status(job));
        Assert.Equal(0, job["attempts"]!.GetValue<int>());
        Assert.Null(job["lease_owner"]);
    }

    [Theory]
    [InlineData("--lease-seconds", "1", 2)]
    [InlineData("--concurrency", "0", 2)]
    [InlineData("--queue", "Not A Queue", 4)]
    public async Task Worker_with_unusable_options_exits_without_running(string option, string value, int exitCode)
    {
        using var home = new TempDirectory();

        var result = (await MlopsCli.RunAsync(home.Path, ["worker", "--home", home.Path, option, value])).ShouldExitWith(exitCode);

        Assert.Contains(option.TrimStart('-'), result.Stderr, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- mlops jobs

    [Fact]
    public async Task Jobs_submit_with_wait_prints_the_log_and_exits_0_when_the_job_succeeds()
    {
        var result = (await server.RunAsync("jobs", "submit", "noop", "--payload", """{"sleep_ms":500}""", "--wait")).ShouldSucceed();

        var id = SubmittedId(result);
        Assert.Contains($"Submitted job {id} (noop) to queue default", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"noop job {id}, attempt 1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("noop job done", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"-- job {id} succeeded", result.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_submit_with_wait_exits_1_with_the_error_when_the_job_fails()
    {
        var result = (await server.RunAsync("jobs", "submit", "noop", "--payload", """{"fatal":true}""", "--wait")).ShouldExitWith(1);

        var id = SubmittedId(result);
        Assert.Contains($"-- job {id} failed: The noop job was asked to fail for good (fatal: true).", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_list_and_get_print_json_and_tables()
    {
        var id = SubmittedId((await server.RunAsync("jobs", "submit", "noop", "--queue", "parked", "--payload", """{"result": 7}""")).ShouldSucceed());

        var all = (await server.RunAsync("jobs", "list", "--json")).ShouldSucceed().Json()["jobs"]!.AsArray();
        var queued = (await server.RunAsync("jobs", "list", "--status", "queued", "--kind", "noop", "--json")).ShouldSucceed().Json()["jobs"]!.AsArray();
        var succeeded = (await server.RunAsync("jobs", "list", "--status", "succeeded", "--json")).ShouldSucceed().Json()["jobs"]!.AsArray();
        var json = (await server.RunAsync("jobs", "get", Text(id), "--json")).ShouldSucceed().Json()["job"]!;
        var table = (await server.RunAsync("jobs", "list", "--status", "queued")).ShouldSucceed().Table();
        var fields = (await server.RunAsync("jobs", "get", Text(id))).ShouldSucceed().Table().AsFields();

        Assert.Contains(id, all.Select(j => j!["id"]!.GetValue<long>()));
        Assert.Contains(id, queued.Select(j => j!["id"]!.GetValue<long>()));
        Assert.DoesNotContain(id, succeeded.Select(j => j!["id"]!.GetValue<long>()));
        Assert.Equal(id, json["id"]!.GetValue<long>());
        Assert.Equal("noop", json["kind"]!.GetValue<string>());
        Assert.Equal("parked", json["queue"]!.GetValue<string>());
        Assert.Equal("queued", json["status"]!.GetValue<string>());
        Assert.Equal(0, json["attempts"]!.GetValue<int>());
        Assert.Equal(3, json["max_attempts"]!.GetValue<int>());
        Assert.Equal("parked", table.Cell(Text(id), "Queue"));
        Assert.Equal("0/3", table.Cell(Text(id), "Attempts"));
        Assert.Equal("queued", fields["Status"]);
        Assert.Equal("0 of 3", fields["Attempts"]);
    }

    [Fact]
    public async Task Jobs_cancel_cancels_a_queued_job_at_once_and_again_without_error()
    {
        var id = SubmittedId((await server.RunAsync("jobs", "submit", "noop", "--queue", "parked")).ShouldSucceed());

        var first = (await server.RunAsync("jobs", "cancel", Text(id))).ShouldSucceed();
        var second = (await server.RunAsync("jobs", "cancel", Text(id))).ShouldSucceed();
        var job = (await server.RunAsync("jobs", "get", Text(id), "--json")).ShouldSucceed().Json()["job"]!;

        Assert.Equal($"Job {id} cancelled.", first.Stdout.Trim());
        Assert.Equal($"Job {id} cancelled.", second.Stdout.Trim());
        Assert.Equal("cancelled", job["status"]!.GetValue<string>());
        Assert.Equal(0, job["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Jobs_cancel_of_a_finished_job_reports_that_it_already_ended()
    {
        var id = SubmittedId((await server.RunAsync("jobs", "submit", "noop", "--wait")).ShouldSucceed());

        var cancel = (await server.RunAsync("jobs", "cancel", Text(id))).ShouldSucceed();
        var job = (await server.RunAsync("jobs", "get", Text(id), "--json")).ShouldSucceed().Json()["job"]!;

        Assert.Equal($"Job {id} had already ended (succeeded).", cancel.Stdout.Trim());
        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jobs_cancel_stops_a_running_job_and_logs_follow_ends_with_exit_1()
    {
        var id = SubmittedId((await server.RunAsync("jobs", "submit", "noop", "--payload", """{"sleep_ms":60000}""")).ShouldSucceed());
        await WaitForJobAsync(server.Http, id, j => Status(j) == "running", worker: null);

        var cancel = (await server.RunAsync("jobs", "cancel", Text(id))).ShouldSucceed();
        var follow = (await server.RunAsync("jobs", "logs", Text(id), "-f")).ShouldExitWith(1);

        Assert.Equal($"Job {id} is running; its worker will stop it at the next heartbeat.", cancel.Stdout.Trim());
        Assert.Contains($"noop job {id}, attempt 1", follow.Stdout, StringComparison.Ordinal);
        Assert.Contains($"-- job {id} cancelled", follow.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_logs_follow_prints_lines_until_the_job_ends_and_logs_prints_them_again()
    {
        var id = SubmittedId((await server.RunAsync("jobs", "submit", "noop", "--payload", """{"sleep_ms":1500}""")).ShouldSucceed());

        var follow = (await server.RunAsync("jobs", "logs", Text(id), "--follow")).ShouldSucceed();
        var plain = (await server.RunAsync("jobs", "logs", Text(id))).ShouldSucceed();

        var followed = follow.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"noop job {id}, attempt 1", followed[0], StringComparison.Ordinal);
        Assert.Contains("noop job done", followed[^2], StringComparison.Ordinal);
        Assert.Equal($"-- job {id} succeeded", followed[^1]);
        Assert.Equal(followed[..^1], plain.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("cancel")]
    [InlineData("logs")]
    [InlineData("logs", "-f")]
    public async Task Jobs_commands_on_an_unknown_job_id_exit_3(params string[] command)
    {
        var result = (await server.RunAsync(["jobs", .. command[..1], "987654321", .. command[1..]])).ShouldExitWith(3);

        Assert.Contains("Job 987654321 not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_submit_with_a_payload_that_is_not_json_exits_4()
    {
        var result = (await server.RunAsync("jobs", "submit", "noop", "--payload", "{bad")).ShouldExitWith(4);

        Assert.Contains("--payload is not valid JSON", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Submitted", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_submit_of_an_unknown_kind_exits_4_with_the_servers_reason()
    {
        var result = (await server.RunAsync("jobs", "submit", "no-such-kind")).ShouldExitWith(4);

        Assert.Contains("Unknown job kind 'no-such-kind'", result.Stderr, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- helpers

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static long SubmittedId(CliResult result)
    {
        var match = SubmittedLine().Match(result.Stdout);
        Assert.True(match.Success, $"No 'Submitted job <id>' line\n{result}");
        return long.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture);
    }

    private static string? Status(JsonNode job) => job["status"]?.GetValue<string>();

    private static string? Owner(JsonNode job) => job["lease_owner"]?.GetValue<string>();

    private static bool IsFinal(JsonNode job) => Status(job) is "succeeded" or "failed" or "cancelled";

    private static async Task<long> SubmitAsync(HttpClient http, string body) =>
        (await PostAsync(http, "api/v1/jobs", body))["job"]!["id"]!.GetValue<long>();

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} {body} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> GetJobAsync(HttpClient http, long id) =>
        JsonNode.Parse(await http.GetStringAsync($"api/v1/jobs/{id}"))!["job"]!;

    private static async Task<JsonNode> WaitForJobAsync(HttpClient http, long id, Func<JsonNode, bool> condition, MlopsWorkerProcess? worker)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var job = await GetJobAsync(http, id);
        while (!condition(job))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Job {id} did not reach the expected state within {s_timeout.TotalSeconds} s; last seen {job.ToJsonString()}\n{worker?.Output}");
            }

            await Task.Delay(100);
            job = await GetJobAsync(http, id);
        }

        return job;
    }

    [GeneratedRegex(@"Submitted job (?<id>\d+) ")]
    private static partial Regex SubmittedLine();
}
