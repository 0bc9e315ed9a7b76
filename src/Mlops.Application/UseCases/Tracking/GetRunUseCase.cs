using Mlops.Application.Common;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

public sealed record SearchRunsInput(
    IReadOnlyList<string>? ExperimentIds,
    string? Filter,
    IReadOnlyList<string>? OrderBy,
    ViewType ViewType,
    long? MaxResults,
    string? PageToken);

/// <summary>Read runs: one by id, many by filter, and the full history of a metric.</summary>
public sealed class GetRunUseCase(ITrackingStore store)
{
    public async Task<Run> ByIdAsync(string? runId, string? runUuid, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId, runUuid);
        return await store.GetRunAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
    }

    public async Task<Page<Run>> SearchAsync(SearchRunsInput input, CancellationToken cancellationToken)
    {
        var limit = SearchLimits.Resolve(input.MaxResults, TrackingLimits.DefaultSearchRunsResults, TrackingLimits.MaxSearchRunsResults);
        var offset = PageToken.Decode(input.PageToken);
        var experimentIds = (input.ExperimentIds ?? []).Where(id => !string.IsNullOrEmpty(id)).Distinct().ToList();
        foreach (var id in experimentIds)
        {
            if (!ExperimentIds.IsWellFormed(id))
            {
                throw MlopsException.Invalid($"Invalid experiment id '{id}' in experiment_ids: experiment ids are decimal integers.");
            }
        }

        var query = new RunQuery(
            experimentIds,
            SearchFilterParser.Parse(input.Filter, SearchTarget.Runs),
            OrderByParser.Parse(input.OrderBy, SearchTarget.Runs),
            input.ViewType,
            limit,
            offset);
        if (experimentIds.Count == 0)
        {
            return new Page<Run>([], null);
        }

        var page = await store.SearchRunsAsync(query, cancellationToken);
        return new Page<Run>(page.Items, page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null);
    }

    public async Task<Page<Metric>> MetricHistoryAsync(string? runId, string? runUuid, string? metricKey, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId, runUuid);
        if (string.IsNullOrEmpty(metricKey))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'metric_key'.");
        }

        var limit = SearchLimits.Resolve(maxResults, TrackingLimits.MaxMetricHistoryPage, TrackingLimits.MaxMetricHistoryPage);
        var offset = PageToken.Decode(pageToken);
        _ = await store.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        var page = await store.GetMetricHistoryAsync(id, metricKey, offset, limit, cancellationToken);
        return new Page<Metric>(page.Items, page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null);
    }
}
