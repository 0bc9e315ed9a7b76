namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>How often and how long to wait before running a failed transaction again.</summary>
internal static class PostgresRetry
{
    public const int MaxAttempts = 6;

    /// <summary>Exponential back-off with full jitter, so contending writers do not retry in lockstep.</summary>
    public static TimeSpan Delay(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(1, (int)Math.Min(1000, 10 * Math.Pow(2, attempt)) + 1));
}
