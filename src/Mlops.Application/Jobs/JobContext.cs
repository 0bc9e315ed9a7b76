using System.Collections.Concurrent;
using Mlops.Domain.Jobs;

namespace Mlops.Application.Jobs;

/// <summary>What a running job can see and report: its record, a log and its progress. Thread-safe.</summary>
public sealed class JobContext(Job job)
{
    private readonly ConcurrentQueue<string> _pendingLog = new();
    private double? _progress;
    private string? _progressMessage;

    public Job Job { get; } = job;

    /// <summary>Adds a line to the job's log (sent with the next heartbeat, so logging never waits on the database).</summary>
    public void Log(string line) => _pendingLog.Enqueue($"{DateTime.UtcNow:HH:mm:ss} {line}");

    /// <summary>Reports progress between 0 and 1 with an optional short message.</summary>
    public void ReportProgress(double fraction, string? message = null)
    {
        Volatile.Write(ref _progressMessage, message);
        _progress = Math.Clamp(fraction, 0, 1);
    }

    /// <summary>For the worker: the latest progress to send with the heartbeat.</summary>
    public (double? Progress, string? Message) TakeProgress() => (_progress, Volatile.Read(ref _progressMessage));

    /// <summary>For the worker: the log lines written since the last call.</summary>
    public List<string> DrainLog()
    {
        var lines = new List<string>();
        while (_pendingLog.TryDequeue(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }
}
