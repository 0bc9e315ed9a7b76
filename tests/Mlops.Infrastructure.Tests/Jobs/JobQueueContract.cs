using System.Collections.Concurrent;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;

namespace Mlops.Infrastructure.Tests.Jobs;

/// <summary>
/// What every <see cref="IJobQueue"/> adapter must do, written once and run against each adapter. A subclass
/// supplies a queue over a database of its own, and a second, independent queue on the same database that
/// stands for another worker process. Tests only use the port and pass "now" explicitly, so leases, backoff and
/// expiry are shown without sleeping. Every test uses its own queue name and job kind, so the suite also holds
/// on a database shared by earlier tests.
/// </summary>
public abstract class JobQueueContract
{
    protected const long T0 = 1_700_000_000_000;

    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    private IJobQueue? _queue;

    /// <summary>A queue name no other test uses.</summary>
    protected string QueueName { get; } = "q-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A job kind no other test uses, so listings by kind see only this test's jobs.</summary>
    protected string Kind { get; } = "k-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Creates the queue under test over a fresh database. Called at most once per test, on first use.</summary>
    protected abstract IJobQueue CreateQueue();

    /// <summary>
    /// A second queue instance on the database of <see cref="CreateQueue"/>, sharing nothing with it in memory
    /// (its own connections, locks and caches), as another worker process would.
    /// </summary>
    protected abstract IJobQueue CreateQueueOnSameDatabase();

    protected IJobQueue Queue => _queue ??= CreateQueue();

    protected static CancellationToken Ct => CancellationToken.None;

    // ---------------------------------------------------------------- enqueue

    [Fact]
    public async Task Enqueues_a_job_as_queued_with_no_attempts_and_no_lease()
    {
        var job = await Queue.EnqueueAsync(new NewJob(Kind, """{"x":1}""", QueueName, Priority: 7, MaxAttempts: 4, BackoffSeconds: 9), T0, Ct);

        foreach (var read in new[] { job, (await Queue.GetAsync(job.Id, Ct))! })
        {
            Assert.Equal(job.Id, read.Id);
            Assert.Equal(Kind, read.Kind);
            Assert.Equal(QueueName, read.Queue);
            Assert.Equal(7, read.Priority);
            Assert.Equal("""{"x":1}""", read.Payload);
            Assert.Equal(JobStatus.Queued, read.Status);
            Assert.Equal(0, read.Attempts);
            Assert.Equal(4, read.MaxAttempts);
            Assert.Equal(9, read.BackoffSeconds);
            Assert.Null(read.LeaseOwner);
            Assert.Null(read.LeaseExpiresAt);
            Assert.Equal(0, read.Progress);
            Assert.False(read.CancelRequested);
            Assert.Equal(T0, read.CreatedAt);
            Assert.Equal(T0, read.NotBefore);
            Assert.Null(read.StartedAt);
            Assert.Null(read.FinishedAt);
            Assert.Null(read.Result);
            Assert.Null(read.Error);
        }
    }

    [Fact]
    public async Task Gives_every_job_its_own_increasing_id()
    {
        var first = await EnqueueAsync();
        var second = await EnqueueAsync();

        Assert.True(second.Id > first.Id, $"{second.Id} should follow {first.Id}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Noop")]
    [InlineData("-noop")]
    [InlineData("no op")]
    [InlineData("noop/train")]
    [InlineData("café")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Rejects_an_invalid_job_kind(string kind)
    {
        var error = await AssertInvalid(() => Queue.EnqueueAsync(new NewJob(kind, "{}", QueueName), T0, Ct));

        Assert.Contains("kind", error.Message, StringComparison.Ordinal);
        Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Default")]
    [InlineData(".hidden")]
    [InlineData("two words")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Rejects_an_invalid_queue_name(string queue)
    {
        var error = await AssertInvalid(() => Queue.EnqueueAsync(new NewJob(Kind, "{}", queue), T0, Ct));

        Assert.Contains("queue", error.Message, StringComparison.Ordinal);
        Assert.Empty((await Queue.ListAsync(null, Kind, 10, 0, Ct)).Items);
    }

    [Fact]
    public async Task Accepts_names_of_64_characters_with_digits_dots_dashes_and_underscores()
    {
        var kind = ("k" + Guid.NewGuid().ToString("N")[..8] + "_train.v2-").PadRight(64, 'x');
        var queue = ("9" + Guid.NewGuid().ToString("N")[..8] + ".gpu_a-").PadRight(64, 'y');

        var job = await Queue.EnqueueAsync(new NewJob(kind, "{}", queue), T0, Ct);

        Assert.Equal(64, kind.Length);
        Assert.Equal(64, queue.Length);
        Assert.Equal(job.Id, (await Queue.ClaimAsync([queue], "w1", Lease, T0, Ct))!.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(21)]
    public async Task Rejects_max_attempts_outside_1_to_20(int maxAttempts)
    {
        var error = await AssertInvalid(() => Queue.EnqueueAsync(new NewJob(Kind, "{}", QueueName, MaxAttempts: maxAttempts), T0, Ct));

        Assert.Contains("max_attempts", error.Message, StringComparison.Ordinal);
        Assert.Empty((await Queue.ListAsync(null, Kind, 10, 0, Ct)).Items);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3601)]
    public async Task Rejects_backoff_outside_0_to_3600_seconds(int backoffSeconds)
    {
        var error = await AssertInvalid(() => Queue.EnqueueAsync(new NewJob(Kind, "{}", QueueName, BackoffSeconds: backoffSeconds), T0, Ct));

        Assert.Contains("backoff_seconds", error.Message, StringComparison.Ordinal);
        Assert.Empty((await Queue.ListAsync(null, Kind, 10, 0, Ct)).Items);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(20, 3600)]
    public async Task Accepts_attempts_and_backoff_at_their_limits(int maxAttempts, int backoffSeconds)
    {
        var job = await EnqueueAsync(maxAttempts: maxAttempts, backoffSeconds: backoffSeconds);

        Assert.Equal(maxAttempts, job.MaxAttempts);
        Assert.Equal(backoffSeconds, job.BackoffSeconds);
    }

    [Fact]
    public async Task Rejects_a_payload_over_one_mebibyte()
    {
        var payload = "\"" + new string('x', JobRules.MaxPayloadLength) + "\"";

        var error = await AssertInvalid(() => Queue.EnqueueAsync(new NewJob(Kind, payload, QueueName), T0, Ct));

        Assert.Contains("payload", error.Message, StringComparison.Ordinal);
        Assert.Empty((await Queue.ListAsync(null, Kind, 10, 0, Ct)).Items);
    }

    // ---------------------------------------------------------------- claim

    [Fact]
    public async Task Claims_a_job_by_marking_it_running_under_a_lease_and_counting_the_attempt()
    {
        var job = await EnqueueAsync();

        var claimed = await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 100, Ct);

        Assert.NotNull(claimed);
        Assert.Equal(job.Id, claimed.Id);
        Assert.Equal(JobStatus.Running, claimed.Status);
        Assert.Equal("w1", claimed.LeaseOwner);
        Assert.Equal(T0 + 100 + 10_000, claimed.LeaseExpiresAt);
        Assert.Equal(T0 + 100, claimed.HeartbeatAt);
        Assert.Equal(T0 + 100, claimed.StartedAt);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal(claimed, await Queue.GetAsync(job.Id, Ct));
    }

    [Fact]
    public async Task Returns_null_when_no_job_is_waiting()
    {
        Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct));
    }

    [Fact]
    public async Task Claims_the_highest_priority_first_then_the_oldest()
    {
        var a = await EnqueueAsync(priority: 0);
        var b = await EnqueueAsync(priority: 5);
        var c = await EnqueueAsync(priority: 0);
        var d = await EnqueueAsync(priority: 5);
        var e = await EnqueueAsync(priority: -3);
        var f = await EnqueueAsync(priority: 100);

        var order = new List<long>();
        while (await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct) is { } job)
        {
            order.Add(job.Id);
        }

        Assert.Equal([f.Id, b.Id, d.Id, a.Id, c.Id, e.Id], order);
    }

    [Fact]
    public async Task Claims_only_from_the_queues_it_is_given()
    {
        var (gpu, cpu, other) = (QueueName + "-gpu", QueueName + "-cpu", QueueName + "-other");
        var onGpu = await EnqueueAsync(queue: gpu);
        var onOther = await EnqueueAsync(queue: other);
        var onCpu = await EnqueueAsync(queue: cpu);

        var first = await Queue.ClaimAsync([gpu, cpu], "w1", Lease, T0, Ct);
        var second = await Queue.ClaimAsync([gpu, cpu], "w1", Lease, T0, Ct);
        var third = await Queue.ClaimAsync([gpu, cpu], "w1", Lease, T0, Ct);

        Assert.Equal([onGpu.Id, onCpu.Id], new[] { first!.Id, second!.Id });
        Assert.Null(third);
        Assert.Equal(JobStatus.Queued, (await Queue.GetAsync(onOther.Id, Ct))!.Status);
        Assert.Null(await Queue.ClaimAsync([], "w1", Lease, T0, Ct));
        Assert.Equal(onOther.Id, (await Queue.ClaimAsync([other], "w2", Lease, T0, Ct))!.Id);
    }

    [Fact]
    public async Task Claims_every_job_exactly_once_with_eight_concurrent_claimers_on_two_database_instances()
    {
        const int JobCount = 200;
        var ids = new List<long>();
        for (var i = 0; i < JobCount; i++)
        {
            ids.Add((await EnqueueAsync(priority: i % 3)).Id);
        }

        IJobQueue[] instances = [Queue, CreateQueueOnSameDatabase()];
        var claims = new ConcurrentBag<(string Worker, long JobId)>();
        var lostCompletions = new ConcurrentBag<long>();
        using var start = new ManualResetEventSlim();
        var claimers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var queue = instances[i % 2];
            var worker = $"w{i}";
            start.Wait();
            while (await queue.ClaimAsync([QueueName], worker, TimeSpan.FromHours(1), T0, Ct) is { } job)
            {
                claims.Add((worker, job.Id));
                if (!await queue.CompleteAsync(job.Id, worker, null, T0, Ct))
                {
                    lostCompletions.Add(job.Id);
                }
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(claimers);

        Assert.Equal(ids, claims.Select(c => c.JobId).Order());
        Assert.Empty(lostCompletions);
        var succeeded = await Queue.ListAsync(JobStatus.Succeeded, Kind, JobCount + 10, 0, Ct);
        Assert.Equal(JobCount, succeeded.Items.Count);
        Assert.All(succeeded.Items, job => Assert.Equal(1, job.Attempts));
    }

    // ---------------------------------------------------------------- leases and heartbeats

    [Fact]
    public async Task Reclaims_a_job_whose_lease_expired_on_another_instance_and_counts_a_second_attempt()
    {
        var job = await EnqueueAsync(maxAttempts: 3);
        var otherProcess = CreateQueueOnSameDatabase();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var whileLeased = await otherProcess.ClaimAsync([QueueName], "w2", Lease, T0 + 9_999, Ct);
        var atExpiry = await otherProcess.ClaimAsync([QueueName], "w2", Lease, T0 + 10_000, Ct);
        var afterExpiry = await otherProcess.ClaimAsync([QueueName], "w2", Lease, T0 + 10_001, Ct);

        Assert.Null(whileLeased);
        Assert.Null(atExpiry);
        Assert.NotNull(afterExpiry);
        Assert.Equal(job.Id, afterExpiry.Id);
        Assert.Equal(JobStatus.Running, afterExpiry.Status);
        Assert.Equal("w2", afterExpiry.LeaseOwner);
        Assert.Equal(2, afterExpiry.Attempts);
        Assert.Equal(T0 + 10_001 + 10_000, afterExpiry.LeaseExpiresAt);
        Assert.Equal(T0, afterExpiry.StartedAt);
    }

    [Fact]
    public async Task A_worker_that_lost_its_lease_can_no_longer_heartbeat_complete_fail_cancel_or_release_the_job()
    {
        var job = await EnqueueAsync(maxAttempts: 3);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        var reclaimed = (await CreateQueueOnSameDatabase().ClaimAsync([QueueName], "w2", Lease, T0 + 20_000, Ct))!;

        var beat = await Queue.HeartbeatAsync(job.Id, "w1", Lease, 0.9, "late", T0 + 20_001, Ct);
        var completed = await Queue.CompleteAsync(job.Id, "w1", "\"stale\"", T0 + 20_002, Ct);
        var failed = await Queue.FailAsync(job.Id, "w1", "stale failure", retryable: true, T0 + 20_003, Ct);
        var cancelled = await Queue.MarkCancelledAsync(job.Id, "w1", T0 + 20_004, Ct);
        var released = await Queue.ReleaseAsync(job.Id, "w1", T0 + 20_005, Ct);

        Assert.False(beat.StillOwned);
        Assert.False(completed);
        Assert.Null(failed);
        Assert.False(cancelled);
        Assert.False(released);
        Assert.Equal(reclaimed, await Queue.GetAsync(job.Id, Ct));
    }

    [Fact]
    public async Task A_heartbeat_renews_the_lease_and_records_progress()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var beat = await Queue.HeartbeatAsync(job.Id, "w1", Lease, 0.25, "epoch 1 of 4", T0 + 8_000, Ct);
        var silent = await Queue.HeartbeatAsync(job.Id, "w1", Lease, null, null, T0 + 9_000, Ct);

        Assert.Equal(new HeartbeatResult(true, false), beat);
        Assert.Equal(new HeartbeatResult(true, false), silent);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal(T0 + 9_000 + 10_000, read.LeaseExpiresAt);
        Assert.Equal(T0 + 9_000, read.HeartbeatAt);
        Assert.Equal(0.25, read.Progress);
        Assert.Equal("epoch 1 of 4", read.ProgressMessage);
        Assert.Null(await CreateQueueOnSameDatabase().ClaimAsync([QueueName], "w2", Lease, T0 + 15_000, Ct));
        Assert.Equal(job.Id, (await CreateQueueOnSameDatabase().ClaimAsync([QueueName], "w2", Lease, T0 + 19_001, Ct))!.Id);
    }

    [Fact]
    public async Task A_late_heartbeat_keeps_the_job_while_no_other_worker_has_claimed_it()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var beat = await Queue.HeartbeatAsync(job.Id, "w1", Lease, null, null, T0 + 30_000, Ct);

        Assert.True(beat.StillOwned);
        Assert.Null(await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 35_000, Ct));
        Assert.True(await Queue.CompleteAsync(job.Id, "w1", null, T0 + 36_000, Ct));
    }

    [Fact]
    public async Task A_heartbeat_for_a_job_the_worker_never_owned_is_refused()
    {
        var job = await EnqueueAsync();

        var queued = await Queue.HeartbeatAsync(job.Id, "w1", Lease, null, null, T0, Ct);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        var stranger = await Queue.HeartbeatAsync(job.Id, "w2", Lease, 0.5, "not mine", T0 + 1, Ct);
        var unknown = await Queue.HeartbeatAsync(long.MaxValue, "w1", Lease, null, null, T0 + 1, Ct);

        Assert.False(queued.StillOwned);
        Assert.False(stranger.StillOwned);
        Assert.False(unknown.StillOwned);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal("w1", read.LeaseOwner);
        Assert.Equal(0, read.Progress);
    }

    [Fact]
    public async Task Fails_a_job_whose_worker_died_on_its_last_allowed_attempt_instead_of_claiming_it_again()
    {
        var doomed = await EnqueueAsync(priority: 1, maxAttempts: 2);
        var next = await EnqueueAsync(priority: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        var second = await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 10_001, Ct);

        var third = await Queue.ClaimAsync([QueueName], "w3", Lease, T0 + 20_002, Ct);

        Assert.Equal((doomed.Id, 2), (second!.Id, second.Attempts));
        Assert.Equal(next.Id, third!.Id);
        var failed = (await Queue.GetAsync(doomed.Id, Ct))!;
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(2, failed.Attempts);
        Assert.Null(failed.LeaseOwner);
        Assert.Equal(T0 + 20_002, failed.FinishedAt);
        Assert.False(string.IsNullOrEmpty(failed.Error));
        Assert.True(await Queue.CompleteAsync(next.Id, "w3", null, T0 + 20_003, Ct));
        Assert.Null(await Queue.ClaimAsync([QueueName], "w4", Lease, T0 + 99_000, Ct));
    }

    [Fact]
    public async Task Cancels_instead_of_reclaiming_a_job_whose_worker_died_after_a_cancel_request()
    {
        var job = await EnqueueAsync(maxAttempts: 3);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.CancelAsync(job.Id, T0 + 1_000, Ct);

        var claimed = await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 10_001, Ct);

        Assert.Null(claimed);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal(JobStatus.Cancelled, read.Status);
        Assert.Equal(T0 + 10_001, read.FinishedAt);
        Assert.Null(read.LeaseOwner);
    }

    // ---------------------------------------------------------------- complete, fail and retry

    [Fact]
    public async Task Completes_an_owned_job_with_its_result_once()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var completed = await Queue.CompleteAsync(job.Id, "w1", """{"auc":0.99}""", T0 + 500, Ct);
        var again = await Queue.CompleteAsync(job.Id, "w1", """{"auc":0.5}""", T0 + 600, Ct);

        Assert.True(completed);
        Assert.False(again);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal(JobStatus.Succeeded, read.Status);
        Assert.Equal("""{"auc":0.99}""", read.Result);
        Assert.Null(read.Error);
        Assert.Equal(1.0, read.Progress);
        Assert.Equal(T0 + 500, read.FinishedAt);
        Assert.Null(read.LeaseOwner);
        Assert.Null(read.LeaseExpiresAt);
        Assert.Null(await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 99_000, Ct));
    }

    [Fact]
    public async Task Retries_a_failed_attempt_after_an_exponentially_growing_backoff()
    {
        var job = await EnqueueAsync(maxAttempts: 4, backoffSeconds: 10);
        var now = T0;
        long[] expectedDelays = [10_000, 20_000, 40_000];

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var claimed = (await Queue.ClaimAsync([QueueName], "w1", Lease, now, Ct))!;
            Assert.Equal(attempt, claimed.Attempts);

            now += 1_000;
            var afterFailure = (await Queue.FailAsync(job.Id, "w1", $"boom {attempt}", retryable: true, now, Ct))!;

            var due = now + expectedDelays[attempt - 1];
            Assert.Equal(JobStatus.Queued, afterFailure.Status);
            Assert.Equal($"boom {attempt}", afterFailure.Error);
            Assert.Equal(attempt, afterFailure.Attempts);
            Assert.Null(afterFailure.LeaseOwner);
            Assert.Equal(due, afterFailure.NotBefore);
            Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, due - 1, Ct));
            now = due;
        }

        var last = (await Queue.ClaimAsync([QueueName], "w1", Lease, now, Ct))!;
        Assert.Equal(4, last.Attempts);
    }

    [Fact]
    public async Task Retries_at_once_when_the_backoff_is_zero()
    {
        var job = await EnqueueAsync(maxAttempts: 2, backoffSeconds: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.FailAsync(job.Id, "w1", "flaky", retryable: true, T0 + 5, Ct);

        var again = await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 5, Ct);

        Assert.Equal((job.Id, 2), (again!.Id, again.Attempts));
    }

    [Fact]
    public async Task Fails_a_job_for_good_when_its_attempts_are_exhausted()
    {
        var job = await EnqueueAsync(maxAttempts: 2, backoffSeconds: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.FailAsync(job.Id, "w1", "first error", retryable: true, T0 + 1, Ct);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 2, Ct);

        var failed = (await Queue.FailAsync(job.Id, "w1", "second error", retryable: true, T0 + 3, Ct))!;

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("second error", failed.Error);
        Assert.Equal(2, failed.Attempts);
        Assert.Equal(T0 + 3, failed.FinishedAt);
        Assert.Null(failed.LeaseOwner);
        Assert.Equal(failed, await Queue.GetAsync(job.Id, Ct));
        Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 99_000, Ct));
    }

    [Fact]
    public async Task Fails_at_once_on_a_non_retryable_error_even_with_attempts_left()
    {
        var job = await EnqueueAsync(maxAttempts: 5, backoffSeconds: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var failed = (await Queue.FailAsync(job.Id, "w1", "dataset.label: column 'y' not found", retryable: false, T0 + 1, Ct))!;

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("dataset.label: column 'y' not found", failed.Error);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal(T0 + 1, failed.FinishedAt);
        Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 99_000, Ct));
    }

    [Fact]
    public async Task Fail_by_a_worker_that_does_not_own_the_job_changes_nothing()
    {
        var job = await EnqueueAsync();
        var queued = await Queue.FailAsync(job.Id, "w1", "not claimed", retryable: false, T0, Ct);
        var claimed = await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var stranger = await Queue.FailAsync(job.Id, "w2", "not mine", retryable: false, T0 + 1, Ct);

        Assert.Null(queued);
        Assert.Null(stranger);
        Assert.Equal(claimed, await Queue.GetAsync(job.Id, Ct));
    }

    // ---------------------------------------------------------------- cancellation

    [Fact]
    public async Task Cancels_a_queued_job_at_once()
    {
        var job = await EnqueueAsync();

        var cancelled = (await Queue.CancelAsync(job.Id, T0 + 50, Ct))!;

        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(T0 + 50, cancelled.FinishedAt);
        Assert.Equal(0, cancelled.Attempts);
        Assert.Equal(cancelled, await Queue.GetAsync(job.Id, Ct));
        Assert.Null(await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 99_000, Ct));
    }

    [Fact]
    public async Task Asks_a_running_job_to_stop_and_its_worker_learns_it_at_the_next_heartbeat()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var requested = (await CreateQueueOnSameDatabase().CancelAsync(job.Id, T0 + 100, Ct))!;
        var beat = await Queue.HeartbeatAsync(job.Id, "w1", Lease, 0.5, null, T0 + 200, Ct);
        var marked = await Queue.MarkCancelledAsync(job.Id, "w1", T0 + 300, Ct);

        Assert.Equal(JobStatus.Running, requested.Status);
        Assert.True(requested.CancelRequested);
        Assert.Equal("w1", requested.LeaseOwner);
        Assert.Equal(new HeartbeatResult(true, true), beat);
        Assert.True(marked);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal(JobStatus.Cancelled, read.Status);
        Assert.Equal(T0 + 300, read.FinishedAt);
        Assert.Null(read.LeaseOwner);
        Assert.False((await Queue.HeartbeatAsync(job.Id, "w1", Lease, null, null, T0 + 400, Ct)).StillOwned);
        Assert.False(await Queue.MarkCancelledAsync(job.Id, "w1", T0 + 500, Ct));
    }

    [Fact]
    public async Task A_failure_after_a_cancel_request_is_not_retried()
    {
        var job = await EnqueueAsync(maxAttempts: 3, backoffSeconds: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.CancelAsync(job.Id, T0 + 1, Ct);

        var after = (await Queue.FailAsync(job.Id, "w1", "interrupted", retryable: true, T0 + 2, Ct))!;

        Assert.True(after.Status.IsFinal(), $"Expected a final status, got {after.Status}");
        Assert.Null(await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 99_000, Ct));
    }

    [Theory]
    [InlineData(JobStatus.Succeeded)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task Cancelling_a_finished_job_returns_it_unchanged(JobStatus final)
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        switch (final)
        {
            case JobStatus.Succeeded:
                await Queue.CompleteAsync(job.Id, "w1", "1", T0 + 1, Ct);
                break;
            case JobStatus.Failed:
                await Queue.FailAsync(job.Id, "w1", "bad", retryable: false, T0 + 1, Ct);
                break;
            default:
                await Queue.CancelAsync(job.Id, T0 + 1, Ct);
                await Queue.MarkCancelledAsync(job.Id, "w1", T0 + 1, Ct);
                break;
        }

        var before = (await Queue.GetAsync(job.Id, Ct))!;

        var returned = await Queue.CancelAsync(job.Id, T0 + 5_000, Ct);

        Assert.Equal(final, before.Status);
        Assert.Equal(before, returned);
        Assert.Equal(before, await Queue.GetAsync(job.Id, Ct));
    }

    [Fact]
    public async Task Cancelling_or_getting_an_unknown_job_returns_null()
    {
        Assert.Null(await Queue.CancelAsync(long.MaxValue, T0, Ct));
        Assert.Null(await Queue.GetAsync(long.MaxValue, Ct));
    }

    // ---------------------------------------------------------------- release

    [Fact]
    public async Task Release_hands_the_job_back_at_once_without_counting_the_attempt()
    {
        var job = await EnqueueAsync(maxAttempts: 1);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var released = await Queue.ReleaseAsync(job.Id, "w1", T0 + 100, Ct);

        Assert.True(released);
        var read = (await Queue.GetAsync(job.Id, Ct))!;
        Assert.Equal(JobStatus.Queued, read.Status);
        Assert.Equal(0, read.Attempts);
        Assert.Null(read.LeaseOwner);
        Assert.Null(read.LeaseExpiresAt);
        var again = (await CreateQueueOnSameDatabase().ClaimAsync([QueueName], "w2", Lease, T0 + 100, Ct))!;
        Assert.Equal((job.Id, 1, "w2"), (again.Id, again.Attempts, again.LeaseOwner));
        Assert.False(await Queue.ReleaseAsync(job.Id, "w1", T0 + 200, Ct));
    }

    [Fact]
    public async Task Release_after_a_retry_keeps_the_earlier_attempts()
    {
        var job = await EnqueueAsync(maxAttempts: 3, backoffSeconds: 0);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.FailAsync(job.Id, "w1", "flaky", retryable: true, T0 + 1, Ct);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0 + 2, Ct);

        await Queue.ReleaseAsync(job.Id, "w1", T0 + 3, Ct);

        Assert.Equal(1, (await Queue.GetAsync(job.Id, Ct))!.Attempts);
        Assert.Equal(2, (await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 3, Ct))!.Attempts);
    }

    [Fact]
    public async Task A_job_released_after_a_cancel_request_is_cancelled_instead_of_run_again()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.CancelAsync(job.Id, T0 + 1, Ct);
        await Queue.ReleaseAsync(job.Id, "w1", T0 + 2, Ct);

        var claimed = await Queue.ClaimAsync([QueueName], "w2", Lease, T0 + 3, Ct);

        Assert.Null(claimed);
        Assert.Equal(JobStatus.Cancelled, (await Queue.GetAsync(job.Id, Ct))!.Status);
    }

    // ---------------------------------------------------------------- logs

    [Fact]
    public async Task Appends_log_lines_in_order_with_increasing_sequence_numbers()
    {
        var job = await EnqueueAsync();
        await Queue.AppendLogAsync(job.Id, ["loading data", "training"], T0 + 1, Ct);
        await Queue.AppendLogAsync(job.Id, [], T0 + 2, Ct);
        await Queue.AppendLogAsync(job.Id, ["evaluating"], T0 + 3, Ct);

        var all = await Queue.GetLogAsync(job.Id, 0, 100, Ct);

        Assert.Equal(["loading data", "training", "evaluating"], all.Select(l => l.Text));
        Assert.Equal([T0 + 1, T0 + 1, T0 + 3], all.Select(l => l.Time));
        Assert.True(all[0].Sequence > 0, "Sequences start after 0, so after=0 reads the whole log");
        Assert.True(all[0].Sequence < all[1].Sequence && all[1].Sequence < all[2].Sequence, string.Join(", ", all.Select(l => l.Sequence)));
    }

    [Fact]
    public async Task Reads_the_log_after_a_sequence_number_and_at_most_max_lines()
    {
        var job = await EnqueueAsync();
        await Queue.AppendLogAsync(job.Id, ["1", "2", "3", "4", "5"], T0, Ct);
        var all = await Queue.GetLogAsync(job.Id, 0, 100, Ct);

        var firstTwo = await Queue.GetLogAsync(job.Id, 0, 2, Ct);
        var afterSecond = await Queue.GetLogAsync(job.Id, firstTwo[^1].Sequence, 2, Ct);
        var rest = await Queue.GetLogAsync(job.Id, afterSecond[^1].Sequence, 100, Ct);
        var none = await Queue.GetLogAsync(job.Id, all[^1].Sequence, 100, Ct);

        Assert.Equal(["1", "2"], firstTwo.Select(l => l.Text));
        Assert.Equal(["3", "4"], afterSecond.Select(l => l.Text));
        Assert.Equal(["5"], rest.Select(l => l.Text));
        Assert.Empty(none);
    }

    [Fact]
    public async Task Keeps_the_logs_of_two_jobs_apart()
    {
        var first = await EnqueueAsync();
        var second = await EnqueueAsync();
        await Queue.AppendLogAsync(first.Id, ["first a"], T0, Ct);
        await Queue.AppendLogAsync(second.Id, ["second a"], T0, Ct);
        await Queue.AppendLogAsync(first.Id, ["first b"], T0, Ct);

        Assert.Equal(["first a", "first b"], (await Queue.GetLogAsync(first.Id, 0, 100, Ct)).Select(l => l.Text));
        Assert.Equal(["second a"], (await Queue.GetLogAsync(second.Id, 0, 100, Ct)).Select(l => l.Text));
        Assert.Empty(await Queue.GetLogAsync(long.MaxValue, 0, 100, Ct));
    }

    [Fact]
    public async Task Truncates_a_log_line_longer_than_the_limit()
    {
        var job = await EnqueueAsync();
        var longLine = new string('a', JobRules.MaxLogLineLength) + new string('b', 5_000);
        var limitLine = new string('c', JobRules.MaxLogLineLength);

        await Queue.AppendLogAsync(job.Id, [longLine, limitLine], T0, Ct);

        var log = await Queue.GetLogAsync(job.Id, 0, 10, Ct);
        Assert.StartsWith(new string('a', JobRules.MaxLogLineLength), log[0].Text, StringComparison.Ordinal);
        Assert.True(log[0].Text.Length < longLine.Length, $"{log[0].Text.Length} characters kept of {longLine.Length}");
        Assert.DoesNotContain('b', log[0].Text);
        Assert.Equal(limitLine, log[1].Text);
    }

    [Fact]
    public async Task Numbers_log_lines_distinctly_when_two_instances_append_at_once()
    {
        var job = await EnqueueAsync();
        IJobQueue[] instances = [Queue, CreateQueueOnSameDatabase()];

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            instances[i % 2].AppendLogAsync(job.Id, [$"line {i}a", $"line {i}b"], T0 + i, Ct))));

        var log = await Queue.GetLogAsync(job.Id, 0, 1_000, Ct);
        Assert.Equal(80, log.Count);
        Assert.Equal(80, log.Select(l => l.Sequence).Distinct().Count());
        Assert.All(Enumerable.Range(0, 40), i =>
        {
            var a = log.Single(l => l.Text == $"line {i}a");
            var b = log.Single(l => l.Text == $"line {i}b");
            Assert.True(a.Sequence < b.Sequence, "Lines of one batch keep their order");
        });
    }

    // ---------------------------------------------------------------- listing

    [Fact]
    public async Task Lists_jobs_newest_first_by_status_and_kind_in_pages()
    {
        var otherKind = Kind + "-other";
        var jobs = new List<Job>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add(await EnqueueAsync());
        }

        var other = await EnqueueAsync(kind: otherKind);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.CompleteAsync(jobs[0].Id, "w1", null, T0, Ct);
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);

        var page1 = await Queue.ListAsync(null, Kind, 2, 0, Ct);
        var page2 = await Queue.ListAsync(null, Kind, 2, 2, Ct);
        var page3 = await Queue.ListAsync(null, Kind, 2, 4, Ct);
        var queued = await Queue.ListAsync(JobStatus.Queued, Kind, 10, 0, Ct);
        var running = await Queue.ListAsync(JobStatus.Running, Kind, 10, 0, Ct);
        var succeeded = await Queue.ListAsync(JobStatus.Succeeded, Kind, 10, 0, Ct);
        var ofOtherKind = await Queue.ListAsync(null, otherKind, 10, 0, Ct);

        Assert.Equal([jobs[4].Id, jobs[3].Id], page1.Items.Select(j => j.Id));
        Assert.True(page1.HasMore);
        Assert.Equal([jobs[2].Id, jobs[1].Id], page2.Items.Select(j => j.Id));
        Assert.True(page2.HasMore);
        Assert.Equal([jobs[0].Id], page3.Items.Select(j => j.Id));
        Assert.False(page3.HasMore);
        Assert.Equal([jobs[4].Id, jobs[3].Id, jobs[2].Id], queued.Items.Select(j => j.Id));
        Assert.Equal([jobs[1].Id], running.Items.Select(j => j.Id));
        Assert.Equal([jobs[0].Id], succeeded.Items.Select(j => j.Id));
        Assert.Equal([other.Id], ofOtherKind.Items.Select(j => j.Id));
        Assert.False(ofOtherKind.HasMore);
        Assert.Equal(await Queue.GetAsync(jobs[1].Id, Ct), running.Items[0]);
    }

    [Fact]
    public async Task Lists_nothing_for_a_kind_without_jobs()
    {
        var page = await Queue.ListAsync(JobStatus.Failed, Kind, 10, 0, Ct);

        Assert.Empty(page.Items);
        Assert.False(page.HasMore);
    }

    // ---------------------------------------------------------------- helpers

    protected Task<Job> EnqueueAsync(int priority = 0, int maxAttempts = 3, int backoffSeconds = 5, string? queue = null, string? kind = null, long now = T0) =>
        Queue.EnqueueAsync(new NewJob(kind ?? Kind, "{}", queue ?? QueueName, priority, maxAttempts, backoffSeconds), now, Ct);

    private static async Task<MlopsException> AssertInvalid(Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(action);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }
}
