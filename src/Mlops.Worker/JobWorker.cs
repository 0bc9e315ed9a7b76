using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Application.Jobs;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;

namespace Mlops.Worker;

/// <summary>
/// Claims jobs from the queue and runs them with their handlers, <see cref="WorkerOptions.Concurrency"/> at a
/// time. While a job runs, a heartbeat renews its lease, ships its log and progress, and turns a cancel request
/// or a lost lease into cancellation of the handler. On shutdown, running jobs are handed back to the queue.
/// </summary>
public sealed partial class JobWorker(IJobQueue queue, IEnumerable<IJobHandler> handlers, WorkerOptions options, TimeProvider clock, ILogger<JobWorker> logger)
    : BackgroundService
{
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, options.WorkerId, string.Join(",", options.Queues), options.Concurrency);
        return Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Concurrency)).Select(_ => Task.Run(() => SlotAsync(stoppingToken), CancellationToken.None)));
    }

    private async Task SlotAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Job? job;
            try
            {
                job = await queue.ClaimAsync(options.Queues, options.WorkerId, options.Lease, Now(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogClaimFailed(logger, e);
                job = null;
            }

            if (job is null)
            {
                try
                {
                    await Task.Delay(options.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            await RunAsync(job, stoppingToken);
        }
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        var context = new JobContext(job);
        using var jobCancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var cancelRequested = false;
        var leaseLost = false;
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = Task.Run(async () =>
        {
            while (!heartbeatStop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(options.HeartbeatInterval, clock, heartbeatStop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var beat = await BeatAsync(job, context);
                if (!beat.StillOwned)
                {
                    leaseLost = true;
                    await jobCancel.CancelAsync();
                    return;
                }

                if (beat.CancelRequested && !cancelRequested)
                {
                    cancelRequested = true;
                    await jobCancel.CancelAsync();
                }
            }
        }, CancellationToken.None);

        LogRunning(logger, job.Id, job.Kind, job.Attempts, job.MaxAttempts);
        string? result = null;
        Exception? failure = null;
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handler))
            {
                throw MlopsException.Invalid($"This worker has no handler for job kind '{job.Kind}' (it knows {string.Join(", ", _handlers.Keys)}).");
            }

            result = await handler.RunAsync(context, jobCancel.Token);
        }
        catch (Exception e)
        {
            failure = e;
        }

        await heartbeatStop.CancelAsync();
        await heartbeat;
        try
        {
            var stopped = failure is OperationCanceledException && (cancelRequested || stoppingToken.IsCancellationRequested || leaseLost);
            await FlushLogAsync(job, context, failure is null ? null : stopped ? "stopped" : $"error: {failure.Message}");
            await RecordOutcomeAsync(job, result, failure, leaseLost, cancelRequested, stoppingToken);
        }
        catch (Exception e)
        {
            // The database may be briefly unavailable; the lease then expires and another worker takes the job over.
            LogOutcomeFailed(logger, job.Id, e);
        }
    }

    private async Task RecordOutcomeAsync(Job job, string? result, Exception? failure, bool leaseLost, bool cancelRequested, CancellationToken stoppingToken)
    {
        // Outcomes are written without the stopping token: a worker that is shutting down still records them.
        if (leaseLost)
        {
            LogLeaseLost(logger, job.Id);
        }
        else if (failure is null)
        {
            await queue.CompleteAsync(job.Id, options.WorkerId, result, Now(), CancellationToken.None);
            LogSucceeded(logger, job.Id);
        }
        else if (failure is OperationCanceledException && cancelRequested)
        {
            await queue.MarkCancelledAsync(job.Id, options.WorkerId, Now(), CancellationToken.None);
            LogCancelled(logger, job.Id);
        }
        else if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested)
        {
            await queue.ReleaseAsync(job.Id, options.WorkerId, Now(), CancellationToken.None);
            LogReleased(logger, job.Id);
        }
        else
        {
            var retryable = failure is not MlopsException { Kind: ErrorKind.InvalidArgument or ErrorKind.NotFound or ErrorKind.AlreadyExists };
            var after = await queue.FailAsync(job.Id, options.WorkerId, failure.Message, retryable, Now(), CancellationToken.None);
            LogFailed(logger, job.Id, after?.Status.ToWire() ?? "?", failure.Message);
        }
    }

    private async Task<HeartbeatResult> BeatAsync(Job job, JobContext context)
    {
        try
        {
            await FlushLogAsync(job, context, null);
            var (progress, message) = context.TakeProgress();
            return await queue.HeartbeatAsync(job.Id, options.WorkerId, options.Lease, progress, message, Now(), CancellationToken.None);
        }
        catch (Exception e)
        {
            // A missed heartbeat is not fatal: the lease is long enough to survive a few.
            LogHeartbeatFailed(logger, job.Id, e);
            return new HeartbeatResult(true, false);
        }
    }

    private async Task FlushLogAsync(Job job, JobContext context, string? lastLine)
    {
        var lines = context.DrainLog();
        if (lastLine is not null)
        {
            lines.Add(lastLine);
        }

        await queue.AppendLogAsync(job.Id, lines, Now(), CancellationToken.None);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started on queues {Queues} with {Concurrency} slot(s)")]
    private static partial void LogStarted(ILogger logger, string workerId, string queues, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) running, attempt {Attempt} of {MaxAttempts}")]
    private static partial void LogRunning(ILogger logger, long jobId, string kind, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} succeeded")]
    private static partial void LogSucceeded(ILogger logger, long jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} cancelled")]
    private static partial void LogCancelled(ILogger logger, long jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} handed back to the queue (worker stopping)")]
    private static partial void LogReleased(ILogger logger, long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed ({Status} now): {Error}")]
    private static partial void LogFailed(ILogger logger, long jobId, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: lease lost, another worker owns it now; its outcome here is discarded")]
    private static partial void LogLeaseLost(ILogger logger, long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of job {JobId} failed; its lease will expire and it will be claimed again")]
    private static partial void LogOutcomeFailed(ILogger logger, long jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming a job failed; retrying")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of job {JobId} failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, long jobId, Exception exception);
}
