using Mlops.Domain.Deployments;

namespace Mlops.Application.Ports;

/// <summary>Which logged predictions to read: one endpoint, optionally one revision and a time window (ms, UTC).</summary>
public sealed record PredictionQuery(string Endpoint, int? Revision = null, long? Since = null, long? Until = null, int MaxResults = 100, long Offset = 0);

/// <summary>
/// The prediction log: sampled requests of the serving endpoints with their inputs, outputs, revision and model time,
/// for monitoring and for comparing a shadow with the live revision. Implementations: SQLite (and PostgreSQL).
/// </summary>
public interface IPredictionLog
{
    /// <summary>Appends records in one transaction.</summary>
    Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken);

    /// <summary>Newest first (by time, then insertion order).</summary>
    Task<StorePage<PredictionRecord>> ListAsync(PredictionQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes the records of an endpoint older than <paramref name="before"/>; returns how many.</summary>
    Task<long> DeleteBeforeAsync(string endpoint, long before, CancellationToken cancellationToken);
}
