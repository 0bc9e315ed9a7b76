using System.Text.RegularExpressions;
using Mlops.Domain.Common;

namespace Mlops.Domain.Jobs;

/// <summary>Limits and the retry rule of the job queue.</summary>
public static partial class JobRules
{
    public const string DefaultQueue = "default";
    public const int MaxAttemptsLimit = 20;
    public const int MaxBackoffSeconds = 3600;
    public const int MaxPayloadLength = 1024 * 1024;
    public const int MaxLogLineLength = 8192;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.\-]{0,63}\z")]
    private static partial Regex NameGrammar();

    public static NewJob Validate(NewJob job)
    {
        ValidateName(job.Kind, "kind");
        ValidateName(job.Queue, "queue");
        if (job.Payload.Length > MaxPayloadLength)
        {
            throw MlopsException.Invalid($"The job payload is {job.Payload.Length} characters long; the limit is {MaxPayloadLength}.");
        }

        if (job.MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw MlopsException.Invalid($"max_attempts must be between 1 and {MaxAttemptsLimit}, got {job.MaxAttempts}.");
        }

        if (job.BackoffSeconds is < 0 or > MaxBackoffSeconds)
        {
            throw MlopsException.Invalid($"backoff_seconds must be between 0 and {MaxBackoffSeconds}, got {job.BackoffSeconds}.");
        }

        return job;
    }

    public static string ValidateName(string? name, string field)
    {
        if (string.IsNullOrEmpty(name) || !NameGrammar().IsMatch(name))
        {
            throw MlopsException.Invalid($"Invalid {field} '{name}': use 1 to 64 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit.");
        }

        return name;
    }

    /// <summary>Exponential backoff: base, 2x base, 4x base ... capped at an hour.</summary>
    public static long RetryDelayMs(int backoffSeconds, int attemptsSoFar) =>
        Math.Min(MaxBackoffSeconds, backoffSeconds * (1L << Math.Clamp(attemptsSoFar - 1, 0, 16))) * 1000L;
}
