using System.Text.Json;
using Mlops.Domain.Common;

namespace Mlops.Application.Jobs;

/// <summary>
/// A diagnostic job ("noop"): optionally sleeps, fails its first attempts, or fails for good, as its payload
/// says. It exercises the queue end to end (tests, the queue benchmark, `mlops jobs submit noop`) without ML.
/// Payload: {"sleep_ms": 0, "fail_attempts": 0, "fatal": false, "result": "..."}.
/// </summary>
public sealed class NoopJobHandler : IJobHandler
{
    public const string KindName = "noop";

    public string Kind => KindName;

    public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var (sleepMs, failAttempts, fatal, result) = Parse(context.Job.Payload);
        context.Log($"noop job {context.Job.Id}, attempt {context.Job.Attempts}");
        if (fatal)
        {
            throw MlopsException.Invalid("The noop job was asked to fail for good (fatal: true).");
        }

        if (context.Job.Attempts <= failAttempts)
        {
            throw new InvalidOperationException($"The noop job fails its first {failAttempts} attempt(s); this is attempt {context.Job.Attempts}.");
        }

        var steps = Math.Max(1, sleepMs / 100);
        for (var step = 1; step <= steps && sleepMs > 0; step++)
        {
            await Task.Delay(sleepMs / steps, cancellationToken);
            context.ReportProgress((double)step / steps, $"slept {step * (sleepMs / steps)} of {sleepMs} ms");
        }

        context.Log("noop job done");
        return result;
    }

    private static (int SleepMs, int FailAttempts, bool Fatal, string? Result) Parse(string payload)
    {
        if (string.IsNullOrWhiteSpace(payload))
        {
            return (0, 0, false, null);
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw MlopsException.Invalid("The noop job payload must be a JSON object.");
            }

            int Int(string name) => root.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? Math.Clamp(number, 0, 3_600_000) : 0;
            var fatal = root.TryGetProperty("fatal", out var f) && f.ValueKind == JsonValueKind.True;
            var result = root.TryGetProperty("result", out var r) ? r.GetRawText() : null;
            return (Int("sleep_ms"), Int("fail_attempts"), fatal, result);
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"The noop job payload is not valid JSON: {e.Message}");
        }
    }
}
