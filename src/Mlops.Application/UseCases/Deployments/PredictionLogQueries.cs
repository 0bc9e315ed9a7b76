using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Application.UseCases.Deployments;

/// <summary>How a shadow's answers compare with the live answers to the same requests.</summary>
/// <param name="Paired">Requests answered by both (a failed shadow answer counts in <see cref="ShadowErrors"/> instead).</param>
/// <param name="Agreement">Share of paired rows whose first output (the predicted label or value) is equal; null with no pairs.</param>
/// <param name="MeanAbsoluteDifference">Mean absolute difference of the numeric outputs over paired rows, by output column.</param>
public sealed record ShadowComparison(
    string Endpoint,
    int Shadow,
    long Paired,
    long ShadowErrors,
    double? Agreement,
    IReadOnlyDictionary<string, double> MeanAbsoluteDifference,
    double? LiveModelMicrosecondsP50,
    double? ShadowModelMicrosecondsP50);

/// <summary>Reads the prediction log: the records of an endpoint, and the comparison of a shadow with the live answers.</summary>
public sealed class PredictionLogQueries(IPredictionLog log, IDeploymentStore deployments)
{
    /// <summary>The most recent records a comparison reads.</summary>
    public const int ComparisonWindow = 10_000;

    public async Task<StorePage<PredictionRecord>> ListAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        await RequireEndpointAsync(query.Endpoint, cancellationToken);
        if (query.MaxResults is < 1 or > PredictionLogLimits.MaxResults)
        {
            throw MlopsException.Invalid($"max_results is 1 to {PredictionLogLimits.MaxResults}; got {query.MaxResults}.");
        }

        return await log.ListAsync(query, cancellationToken);
    }

    /// <summary>Compares the shadow (the live one when none is named) with the live answers to the same requests.</summary>
    public async Task<ShadowComparison> CompareShadowAsync(string endpoint, int? shadow, long? since, CancellationToken cancellationToken)
    {
        var stored = await RequireEndpointAsync(endpoint, cancellationToken);
        var number = shadow
            ?? stored.Revisions.LastOrDefault(r => r.Role == RevisionRole.Shadow && r.IsLive)?.Number
            ?? throw new MlopsException(ErrorKind.Conflict, $"Endpoint '{endpoint}' has no live shadow; name a revision.");
        var records = (await log.ListAsync(new PredictionQuery(endpoint, Since: since, MaxResults: ComparisonWindow), cancellationToken)).Items;
        var shadowAnswers = records.Where(r => r.Revision == number && r.Role == RevisionRole.Shadow).ToList();
        var live = records.Where(r => r.Role != RevisionRole.Shadow).GroupBy(r => r.RequestId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var comparer = new AnswerComparer();
        long paired = 0, errors = 0;
        var liveTimes = new List<double>();
        var shadowTimes = new List<double>();
        foreach (var answer in shadowAnswers)
        {
            if (answer.Error is not null)
            {
                errors++;
                continue;
            }

            if (!live.TryGetValue(answer.RequestId, out var liveAnswer))
            {
                continue;
            }

            paired++;
            liveTimes.Add(liveAnswer.ModelMicroseconds);
            shadowTimes.Add(answer.ModelMicroseconds);
            comparer.Add(liveAnswer.OutputsJson, answer.OutputsJson);
        }

        return new ShadowComparison(endpoint, number, paired, errors, comparer.Agreement, comparer.MeanAbsoluteDifference, Median(liveTimes), Median(shadowTimes));
    }

    private async Task<Endpoint> RequireEndpointAsync(string endpoint, CancellationToken cancellationToken) =>
        await deployments.GetEndpointAsync(endpoint, cancellationToken) ?? throw MlopsException.NotFound($"No endpoint named '{endpoint}'.");

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
