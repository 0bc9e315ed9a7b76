using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mlops.Application.Ports;
using Mlops.Domain.Deployments;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>A scored request waiting to be written to the prediction log; turned into JSON off the request path.</summary>
public sealed record PredictionSample(
    string Endpoint,
    int Revision,
    RevisionRole Role,
    string RequestId,
    long At,
    long ModelMicroseconds,
    ScoringBatch Batch,
    ScoringResult? Result,
    string? Error = null);

/// <summary>
/// Writes sampled predictions to the store in the background, in batches, so a request only pays for a queue write.
/// The queue is bounded: when the store cannot keep up, samples are dropped (and counted in <see cref="Dropped"/>)
/// rather than slowing serving down or growing memory without bound.
/// </summary>
public sealed class PredictionLogWriter(IPredictionLog log, ILogger<PredictionLogWriter> logger)
{
    public const int QueueCapacity = 10_000;
    public const int BatchSize = 500;

    private readonly Channel<PredictionSample> _queue = Channel.CreateBounded<PredictionSample>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private long _dropped;
    private long _written;

    /// <summary>Samples lost because the queue was full or the store refused a batch.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    /// <summary>False (and counted as dropped) when the queue is full.</summary>
    public bool TryEnqueue(PredictionSample sample)
    {
        if (_queue.Writer.TryWrite(sample))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Writes until cancelled, then writes what is still queued.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PredictionRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                await DrainAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await DrainAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Writes everything queued now; for tests and shutdown.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => DrainAsync(new List<PredictionRecord>(BatchSize), cancellationToken);

    public static PredictionRecord ToRecord(PredictionSample sample) => new(
        sample.Endpoint,
        sample.Revision,
        sample.Role,
        sample.RequestId,
        sample.At,
        sample.ModelMicroseconds,
        sample.Batch.RowCount,
        PredictionJson.Write(sample.Batch.Columns.Values, sample.Batch.RowCount),
        sample.Result is null ? "{}" : PredictionJson.Write(sample.Result.Columns, sample.Result.RowCount),
        sample.Error);

    private async Task DrainAsync(List<PredictionRecord> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var sample))
            {
                batch.Add(ToRecord(sample));
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await log.AppendAsync(batch, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Serving must not stop because its log cannot be written; the loss is counted and reported.
                Interlocked.Add(ref _dropped, batch.Count);
                logger.LogWarning(e, "Could not write {Count} prediction log records; they are dropped.", batch.Count);
            }
        }
    }
}
