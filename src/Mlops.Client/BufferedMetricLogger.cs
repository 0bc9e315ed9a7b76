using System.Threading.Channels;
using Mlops.Client.Contracts;

namespace Mlops.Client;

/// <summary>
/// Buffers metric points and sends them to a run in batches from a background task: when a batch is full,
/// when the flush interval passes, on <see cref="FlushAsync"/> and on dispose. A failed send is reported by
/// the next <see cref="FlushAsync"/> or by <see cref="DisposeAsync"/>; logging itself never waits on the
/// network unless the buffer is full.
/// </summary>
public sealed class BufferedMetricLogger : IAsyncDisposable, IDisposable
{
    private readonly MlopsClient _client;
    private readonly string _runId;
    private readonly BufferedMetricLoggerOptions _options;
    private readonly Channel<Entry> _channel;
    private readonly Task _pump;
    private Exception? _failure;
    private long _sent;

    internal BufferedMetricLogger(MlopsClient client, string runId, BufferedMetricLoggerOptions options)
    {
        if (options.MaxBatchSize is < 1 or > MlopsClient.MaxMetricsPerBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxBatchSize must be between 1 and {MlopsClient.MaxMetricsPerBatch}.");
        }

        _client = client;
        _runId = runId;
        _options = options;
        _channel = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Math.Max(options.Capacity, options.MaxBatchSize))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Points sent to the server so far.</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    /// <summary>Queues one point (timestamp defaults to now). Blocks only while the buffer is full.</summary>
    public void Log(string key, double value, long step = 0, long? timestamp = null)
    {
        var entry = new Entry(new MetricDto(key, value, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), step), null);
        if (!_channel.Writer.TryWrite(entry))
        {
            _channel.Writer.WriteAsync(entry).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Queues one point, waiting asynchronously while the buffer is full.</summary>
    public ValueTask LogAsync(string key, double value, long step = 0, long? timestamp = null, CancellationToken cancellationToken = default) =>
        _channel.Writer.WriteAsync(new Entry(new MetricDto(key, value, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), step), null), cancellationToken);

    /// <summary>Sends everything queued so far and waits for it; throws if any send failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(new Entry(null, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
        ThrowIfFailed();
    }

    /// <summary>Flushes and stops the background sender.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _pump;
        ThrowIfFailed();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new InvalidOperationException("Sending buffered metrics failed: " + failure.Message, failure);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _channel.Reader;
        var buffer = new List<MetricDto>(_options.MaxBatchSize);
        while (await reader.WaitToReadAsync())
        {
            var deadline = DateTime.UtcNow + _options.FlushInterval;
            var completed = false;
            while (buffer.Count < _options.MaxBatchSize)
            {
                if (reader.TryRead(out var entry))
                {
                    if (entry.Flush is { } flush)
                    {
                        await SendAsync(buffer);
                        flush.TrySetResult();
                        continue;
                    }

                    buffer.Add(entry.Metric!);
                    continue;
                }

                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero || buffer.Count == 0)
                {
                    break;
                }

                using var timeout = new CancellationTokenSource(remaining);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token))
                    {
                        completed = true;
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            await SendAsync(buffer);
            if (completed)
            {
                break;
            }
        }

        await SendAsync(buffer);
    }

    private async Task SendAsync(List<MetricDto> buffer)
    {
        if (buffer.Count == 0)
        {
            return;
        }

        try
        {
            await _client.LogBatchAsync(_runId, buffer);
            Interlocked.Add(ref _sent, buffer.Count);
        }
        catch (Exception e) when (e is HttpRequestException or MlopsApiException or TaskCanceledException)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }

        buffer.Clear();
    }

    private readonly record struct Entry(MetricDto? Metric, TaskCompletionSource? Flush);
}
