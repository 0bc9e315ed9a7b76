using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Application.Jobs;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Infrastructure;
using Mlops.Infrastructure.Jobs;
using Mlops.Infrastructure.Persistence.Sqlite;
using Mlops.Worker;

namespace Mlops.Server.Tests;

/// <summary>
/// The job worker end to end: a real server (Kestrel on port 0, a SQLite file in a temp home) with its embedded
/// worker, or with none and <see cref="JobWorker"/>s started on their own database handle as separate worker
/// processes would be. Jobs are the diagnostic "noop" kind. Intervals are short so the tests run fast; waits
/// have a generous timeout and assert states, never durations.
/// </summary>
public sealed class JobWorkerTests : IAsyncLifetime
{
    /// <summary>A safety net against a hung test, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly string _home = Path.Combine(Path.GetTempPath(), "mlops-worker-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<JobWorker> _workers = [];
    private readonly List<SqliteDatabase> _databases = [];
    private WebApplication? _app;
    private HttpClient? _http;
    private MlopsClient? _client;

    private HttpClient Http => _http ?? throw new InvalidOperationException("Call StartServerAsync first.");

    private MlopsClient Client => _client ?? throw new InvalidOperationException("Call StartServerAsync first.");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        }

        _client?.Dispose();
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var database in _databases)
        {
            database.Dispose();
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
    public async Task Runs_a_noop_job_to_success_with_its_result()
    {
        await StartServerAsync(FastWorker());

        var submitted = await Client.SubmitJobAsync("noop", """{"result": {"answer": 42, "tags": ["a"]}}""");
        var job = await WaitForJobAsync(submitted.Id, j => IsFinal(j));

        Assert.Equal("queued", submitted.Status);
        Assert.Equal("succeeded", job.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"answer":42,"tags":["a"]}"""), JsonNode.Parse(job.Result!)), job.Result);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(1.0, job.Progress);
        Assert.Null(job.Error);
        Assert.Null(job.LeaseOwner);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        var log = await LogTextAsync(submitted.Id);
        Assert.Contains($"noop job {submitted.Id}, attempt 1", log, StringComparison.Ordinal);
        Assert.Contains("noop job done", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_a_job_that_fails_its_first_two_attempts_and_it_succeeds_on_the_third()
    {
        await StartServerAsync(FastWorker());

        var id = await SubmitRawAsync("""{"kind": "noop", "payload": {"fail_attempts": 2, "result": "third time"}, "max_attempts": 3, "backoff_seconds": 0}""");
        var job = await WaitForJobAsync(id, j => IsFinal(j));

        Assert.Equal("succeeded", job.Status);
        Assert.Equal(3, job.Attempts);
        Assert.Equal("\"third time\"", job.Result);
        var log = await LogTextAsync(id);
        Assert.Contains("error: The noop job fails its first 2 attempt(s); this is attempt 1.", log, StringComparison.Ordinal);
        Assert.Contains("error: The noop job fails its first 2 attempt(s); this is attempt 2.", log, StringComparison.Ordinal);
        Assert.Contains($"noop job {id}, attempt 3", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_a_job_with_the_last_error_when_its_attempts_are_exhausted()
    {
        await StartServerAsync(FastWorker());

        var id = await SubmitRawAsync("""{"kind": "noop", "payload": {"fail_attempts": 5}, "max_attempts": 2, "backoff_seconds": 0}""");
        var job = await WaitForJobAsync(id, j => IsFinal(j));

        Assert.Equal("failed", job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.Equal("The noop job fails its first 5 attempt(s); this is attempt 2.", job.Error);
    }

    [Fact]
    public async Task Fails_a_fatal_job_at_once_with_its_message()
    {
        await StartServerAsync(FastWorker());

        var id = await SubmitRawAsync("""{"kind": "noop", "payload": {"fatal": true}, "max_attempts": 3, "backoff_seconds": 0}""");
        var job = await WaitForJobAsync(id, j => IsFinal(j));

        Assert.Equal("failed", job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("The noop job was asked to fail for good (fatal: true).", job.Error);
    }

    [Fact]
    public async Task Fails_a_job_whose_payload_is_not_a_json_object_at_once()
    {
        await StartServerAsync(FastWorker());

        var id = await SubmitRawAsync("""{"kind": "noop", "payload": [1, 2], "max_attempts": 3, "backoff_seconds": 0}""");
        var job = await WaitForJobAsync(id, j => IsFinal(j));

        Assert.Equal("failed", job.Status);
        Assert.Equal(1, job.Attempts);
    }

    [Fact]
    public async Task Cancels_a_running_job_over_http_long_before_its_sleep_would_end()
    {
        await StartServerAsync(FastWorker());
        var submitted = await Client.SubmitJobAsync("noop", """{"sleep_ms": 120000}""");
        await WaitForJobAsync(submitted.Id, j => j.Status == "running");

        var requested = await Client.CancelJobAsync(submitted.Id);
        var job = await WaitForJobAsync(submitted.Id, j => IsFinal(j));

        Assert.Equal("running", requested.Status);
        Assert.True(requested.CancelRequested);
        Assert.Equal("cancelled", job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Null(job.LeaseOwner);
        Assert.True(job.Progress < 1.0, $"progress {job.Progress}");
    }

    [Fact]
    public async Task Cancels_a_queued_job_over_http_at_once()
    {
        await StartServerAsync(FastWorker());
        var submitted = await Client.SubmitJobAsync("noop", "{}", queue: "nobody-serves-this");

        var cancelled = await Client.CancelJobAsync(submitted.Id);
        var again = await Client.CancelJobAsync(submitted.Id);

        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(0, cancelled.Attempts);
        Assert.Equal("cancelled", again.Status);
        Assert.Equal(cancelled.FinishedAt, again.FinishedAt);
    }

    [Fact]
    public async Task Serves_a_jobs_log_and_a_long_poll_returns_lines_written_while_it_waits()
    {
        await StartServerAsync(worker: null);
        var submitted = await Client.SubmitJobAsync("noop", """{"sleep_ms": 1500}""");

        var firstPoll = Client.GetJobLogAsync(submitted.Id, after: 0, waitMs: 20_000);
        await Task.Delay(300);
        Assert.False(firstPoll.IsCompleted, "The long poll returned before the job had written anything");
        await StartWorkerAsync("log-worker");
        var first = await firstPoll.WaitAsync(s_timeout);

        var lines = new List<JobLogLineDto>(first.Lines!);
        var page = first;
        while (!lines.Any(l => l.Text!.EndsWith("noop job done", StringComparison.Ordinal)))
        {
            Assert.False(page.Status is "succeeded" or "failed" or "cancelled" && page.Lines!.Count == 0, $"The job ended ({page.Status}) without its last line");
            page = await Client.GetJobLogAsync(submitted.Id, after: page.LastSequence, waitMs: 20_000).WaitAsync(s_timeout);
            lines.AddRange(page.Lines!);
        }

        Assert.NotEmpty(first.Lines!);
        Assert.EndsWith($"noop job {submitted.Id}, attempt 1", first.Lines![0].Text, StringComparison.Ordinal);
        Assert.Equal(lines.Select(l => l.Sequence).Order(), lines.Select(l => l.Sequence));
        Assert.Equal(lines.Count, lines.Select(l => l.Sequence).Distinct().Count());
        await WaitForJobAsync(submitted.Id, j => IsFinal(j));
        var followed = new List<string>();
        using var timeout = new CancellationTokenSource(s_timeout);
        await foreach (var line in Client.FollowJobLogAsync(submitted.Id, timeout.Token))
        {
            followed.Add(line.Text!);
        }

        Assert.Equal(lines.Select(l => l.Text), followed);
    }

    [Fact]
    public async Task A_long_poll_on_a_quiet_job_returns_no_lines_once_its_wait_is_over()
    {
        await StartServerAsync(FastWorker());
        var submitted = await Client.SubmitJobAsync("noop", "{}", queue: "nobody-serves-this");

        var page = await Client.GetJobLogAsync(submitted.Id, after: 0, waitMs: 300).WaitAsync(s_timeout);

        Assert.Empty(page.Lines!);
        Assert.Equal(0, page.LastSequence);
        Assert.Equal("queued", page.Status);
    }

    [Fact]
    public async Task Refuses_an_unknown_job_kind_at_submit_with_problem_details()
    {
        await StartServerAsync(FastWorker());

        using var response = await PostJsonAsync("api/v1/jobs", """{"kind": "no-such-kind", "payload": {}}""");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var clientError = await Assert.ThrowsAsync<MlopsApiException>(() => Client.SubmitJobAsync("no-such-kind"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Contains("Unknown job kind 'no-such-kind'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("noop", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, clientError.StatusCode);
        Assert.Contains("Unknown job kind 'no-such-kind'", clientError.Message, StringComparison.Ordinal);
        Assert.Empty((await Client.ListJobsAsync()).Jobs!);
    }

    [Theory]
    [InlineData("""{"payload": {}}""", "kind")]
    [InlineData("""{"kind": "noop", "max_attempts": 0}""", "max_attempts")]
    [InlineData("""{"kind": "noop", "max_attempts": 21}""", "max_attempts")]
    [InlineData("""{"kind": "noop", "backoff_seconds": -1}""", "backoff_seconds")]
    [InlineData("""{"kind": "noop", "queue": "Not A Queue"}""", "queue")]
    [InlineData("""{"kind": "noop", "payload": {}""", "")]
    public async Task Refuses_a_malformed_submission_with_a_400_problem(string body, string named)
    {
        await StartServerAsync(worker: null);

        using var response = await PostJsonAsync("api/v1/jobs", body);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await Client.ListJobsAsync()).Jobs!);
    }

    [Theory]
    [InlineData("GET", "api/v1/jobs/987654")]
    [InlineData("POST", "api/v1/jobs/987654/cancel")]
    [InlineData("GET", "api/v1/jobs/987654/logs")]
    public async Task Answers_404_problem_details_for_an_unknown_job(string method, string path)
    {
        await StartServerAsync(worker: null);

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Job 987654 not found", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lists_jobs_over_http_by_status_and_kind_in_pages()
    {
        await StartServerAsync(worker: null);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Client.SubmitJobAsync("noop")).Id);
        }

        await Client.CancelJobAsync(ids[0]);

        var page1 = await Client.ListJobsAsync(maxResults: 2);
        var page2 = await Client.ListJobsAsync(maxResults: 2, pageToken: page1.NextPageToken);
        var queued = await Client.ListJobsAsync(status: "queued", kind: "noop");
        var cancelled = await Client.ListJobsAsync(status: "cancelled");

        Assert.Equal([ids[2], ids[1]], page1.Jobs!.Select(j => j.Id));
        Assert.NotNull(page1.NextPageToken);
        Assert.Equal([ids[0]], page2.Jobs!.Select(j => j.Id));
        Assert.Null(page2.NextPageToken);
        Assert.Equal([ids[2], ids[1]], queued.Jobs!.Select(j => j.Id));
        Assert.Equal([ids[0]], cancelled.Jobs!.Select(j => j.Id));
        var error = await Assert.ThrowsAsync<MlopsApiException>(() => Client.ListJobsAsync(status: "sleeping"));
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task A_worker_with_concurrency_4_runs_four_sleeping_jobs_at_the_same_moment()
    {
        await StartServerAsync(FastWorker(concurrency: 4));
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Client.SubmitJobAsync("noop", """{"sleep_ms": 120000}""")).Id);
        }

        var snapshot = await WaitForAsync(
            () => Client.ListJobsAsync(kind: "noop"),
            page => page.Jobs!.Count(j => j.Status == "running") == 4,
            page => string.Join(", ", page.Jobs!.Select(j => $"{j.Id}:{j.Status}")));

        Assert.Equal(1, snapshot.Jobs!.Count(j => j.Status == "queued"));
        Assert.Equal(ids[4], snapshot.Jobs!.Single(j => j.Status == "queued").Id);
        foreach (var id in ids)
        {
            await Client.CancelJobAsync(id);
        }

        foreach (var id in ids)
        {
            Assert.Equal("cancelled", (await WaitForJobAsync(id, j => IsFinal(j))).Status);
        }
    }

    [Fact]
    public async Task A_worker_stopped_gracefully_hands_its_running_job_back_and_a_new_worker_completes_it()
    {
        await StartServerAsync(worker: null);
        var submitted = await Client.SubmitJobAsync("noop", """{"sleep_ms": 2000, "result": "done"}""");
        var first = await StartWorkerAsync("graceful-1");
        await WaitForJobAsync(submitted.Id, j => j.Status == "running" && j.LeaseOwner == "graceful-1");

        await first.StopAsync(CancellationToken.None).WaitAsync(s_timeout);
        var handedBack = await Client.GetJobAsync(submitted.Id);
        await StartWorkerAsync("graceful-2");
        var completed = await WaitForJobAsync(submitted.Id, j => IsFinal(j));

        Assert.Equal("queued", handedBack.Status);
        Assert.Equal(0, handedBack.Attempts);
        Assert.Null(handedBack.LeaseOwner);
        Assert.Equal("succeeded", completed.Status);
        Assert.Equal(1, completed.Attempts);
        Assert.Equal("\"done\"", completed.Result);
    }

    [Fact]
    public async Task A_worker_that_lost_its_lease_stops_its_copy_of_the_job_and_the_new_owner_finishes_it()
    {
        await StartServerAsync(worker: null);
        var submitted = await Client.SubmitJobAsync("noop", """{"sleep_ms": 3000, "result": "second"}""");

        // Heartbeats slower than the lease: the job is up for grabs before the first heartbeat.
        await StartWorkerAsync("slow-heart", new WorkerOptions { Lease = TimeSpan.FromSeconds(1), HeartbeatInterval = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(50) });
        await WaitForJobAsync(submitted.Id, j => j.LeaseOwner == "slow-heart");
        await StartWorkerAsync("healthy");
        var taken = await WaitForJobAsync(submitted.Id, j => j.LeaseOwner == "healthy");
        var completed = await WaitForJobAsync(submitted.Id, j => IsFinal(j));

        Assert.Equal(2, taken.Attempts);
        Assert.Equal("succeeded", completed.Status);
        Assert.Equal(2, completed.Attempts);
        Assert.Equal("\"second\"", completed.Result);
        var log = await LogTextAsync(submitted.Id);
        Assert.Contains($"noop job {submitted.Id}, attempt 1", log, StringComparison.Ordinal);
        Assert.Contains($"noop job {submitted.Id}, attempt 2", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_of_a_kind_the_worker_has_no_handler_for_fails_at_once_naming_the_kind()
    {
        await StartServerAsync(worker: null);
        var database = new SqliteDatabase(Path.Combine(_home, "mlops.db"));
        _databases.Add(database);
        var job = await new SqliteJobQueue(database).EnqueueAsync(new Domain.Jobs.NewJob("render", "{}", MaxAttempts: 3, BackoffSeconds: 0), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);

        await StartWorkerAsync("noop-only");
        var failed = await WaitForJobAsync(job.Id, j => IsFinal(j));

        Assert.Equal("failed", failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("no handler for job kind 'render'", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_negative_log_position_with_a_400_problem()
    {
        await StartServerAsync(worker: null);
        var submitted = await Client.SubmitJobAsync("noop");

        using var response = await Http.GetAsync($"api/v1/jobs/{submitted.Id}/logs?after=-1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    // ---------------------------------------------------------------- helpers

    private static WorkerOptions FastWorker(int concurrency = 1) => new()
    {
        Concurrency = concurrency,
        Lease = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

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

    /// <summary>A worker on its own handle to the server's database file, as a separate `mlops worker` process would have.</summary>
    private async Task<JobWorker> StartWorkerAsync(string workerId, WorkerOptions? options = null)
    {
        options ??= FastWorker();
        options.WorkerId = workerId;
        var database = new SqliteDatabase(Path.Combine(_home, "mlops.db"));
        _databases.Add(database);
        var worker = new JobWorker(new SqliteJobQueue(database), [new NoopJobHandler()], options, TimeProvider.System, NullLogger<JobWorker>.Instance);
        _workers.Add(worker);
        await worker.StartAsync(CancellationToken.None);
        return worker;
    }

    private async Task<long> SubmitRawAsync(string body)
    {
        using var response = await PostJsonAsync("api/v1/jobs", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST api/v1/jobs {body} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["job"]!["id"]!.GetValue<long>();
    }

    private async Task<HttpResponseMessage> PostJsonAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Http.PostAsync(path, content);
    }

    private async Task<string> LogTextAsync(long id) =>
        string.Join('\n', (await Client.GetJobLogAsync(id)).Lines!.Select(l => l.Text));

    private static bool IsFinal(JobDto job) => job.Status is "succeeded" or "failed" or "cancelled";

    private Task<JobDto> WaitForJobAsync(long id, Func<JobDto, bool> condition) =>
        WaitForAsync(() => Client.GetJobAsync(id), condition, j => $"job {j.Id}: {j.Status}, attempts {j.Attempts}, owner {j.LeaseOwner}, error {j.Error}");

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> poll, Func<T, bool> condition, Func<T, string> describe)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var last = await poll();
        while (!condition(last))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"The condition did not hold within {s_timeout.TotalSeconds} s; last seen {describe(last)}");
            }

            await Task.Delay(50);
            last = await poll();
        }

        return last;
    }
}
