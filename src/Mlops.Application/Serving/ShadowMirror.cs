using System.Diagnostics;
using System.Threading.Channels;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>A request already answered by the live revision, to be scored again by each shadow.</summary>
public sealed record ShadowWork(string Endpoint, string RequestId, long At, ScoringBatch Batch, IReadOnlyList<ServedRevision> Shadows);

/// <summary>
/// Scores copies of live requests with the endpoint's shadows, in the background after the caller has its answer,
/// and logs each shadow answer (or why it failed) under the request's id. A shadow's answer is never returned and its
/// failures never reach the caller. The queue is bounded: under overload copies are dropped and counted, so a slow
/// shadow cannot slow the live revision down.
/// </summary>
public sealed class ShadowMirror(PredictionLogWriter log, TimeProvider clock)
{
    public const int QueueCapacity = 1_000;

    private readonly Channel<ShadowWork> _queue = Channel.CreateBounded<ShadowWork>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });

    private long _dropped;
    private long _scored;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Shadow answers scored so far (failed ones included).</summary>
    public long Scored => Interlocked.Read(ref _scored);

    public bool TryEnqueue(ShadowWork work)
    {
        if (_queue.Writer.TryWrite(work))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Scores queued copies until cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var shadow in work.Shadows)
                {
                    await ScoreAsync(work, shadow, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ScoreAsync(ShadowWork work, ServedRevision shadow, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ScoringResult? result = null;
        string? error = null;
        try
        {
            // The request was parsed for the live revision; a shadow that needs a column it lacks fails here, by name.
            var missing = shadow.Schema.Columns.FirstOrDefault(c => !work.Batch.Columns.ContainsKey(c.Name));
            result = missing is null
                ? await shadow.Gate.PredictAsync(work.Batch, cancellationToken).ConfigureAwait(false)
                : throw MlopsException.Invalid($"The request has no column '{missing.Name}', which the shadow's signature needs.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = e.Message;
        }

        var micros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        Interlocked.Increment(ref _scored);
        log.TryEnqueue(new PredictionSample(work.Endpoint, shadow.Number, RevisionRole.Shadow, work.RequestId,
            work.At == 0 ? clock.GetUtcNow().ToUnixTimeMilliseconds() : work.At, micros, work.Batch, result, error));
    }
}
