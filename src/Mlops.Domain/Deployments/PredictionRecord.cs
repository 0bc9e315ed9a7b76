namespace Mlops.Domain.Deployments;

/// <summary>
/// One scored request as the prediction log keeps it: which revision answered (or, for a shadow, would have), how
/// long the model took, and the inputs and outputs as JSON (<c>{"columns": [...], "data": [[...]]}</c>), cut to the
/// first <see cref="PredictionLogLimits.MaxRowsPerRecord"/> rows. A live answer and the shadow answers to the same
/// request share <see cref="RequestId"/>.
/// </summary>
/// <param name="At">When the request was answered, ms since the Unix epoch (UTC).</param>
/// <param name="ModelMicroseconds">Time spent in the model (parsing and the network excluded).</param>
/// <param name="Rows">Rows in the request; the JSON holds at most <see cref="PredictionLogLimits.MaxRowsPerRecord"/> of them.</param>
/// <param name="Error">Why a shadow failed to score the request; null when it answered.</param>
public sealed record PredictionRecord(
    string Endpoint,
    int Revision,
    RevisionRole Role,
    string RequestId,
    long At,
    long ModelMicroseconds,
    int Rows,
    string InputsJson,
    string OutputsJson,
    string? Error = null);

public static class PredictionLogLimits
{
    /// <summary>A large batch is logged by its first rows: enough to monitor drift and compare a shadow, bounded in size.</summary>
    public const int MaxRowsPerRecord = 100;

    /// <summary>The most records one query returns.</summary>
    public const int MaxResults = 10_000;
}
