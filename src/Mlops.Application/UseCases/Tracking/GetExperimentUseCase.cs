using Mlops.Application.Common;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>Find experiments: by id, by name, or with a filter.</summary>
public sealed class GetExperimentUseCase(ITrackingStore store)
{
    public async Task<Experiment> ByIdAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var id = ExperimentIds.Require(experimentId);
        return await store.GetExperimentAsync(id, cancellationToken)
            ?? throw MlopsException.NotFound($"No Experiment with id={id} exists");
    }

    public async Task<Experiment> ByNameAsync(string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'experiment_name'.");
        }

        return await store.GetExperimentByNameAsync(name, cancellationToken)
            ?? throw MlopsException.NotFound($"Could not find experiment with name '{name}'");
    }

    public async Task<Page<Experiment>> SearchAsync(string? filter, IReadOnlyList<string>? orderBy, ViewType viewType, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var limit = SearchLimits.Resolve(maxResults, TrackingLimits.DefaultSearchExperimentsResults, TrackingLimits.MaxSearchExperimentsResults);
        var offset = PageToken.Decode(pageToken);
        var query = new ExperimentQuery(
            SearchFilterParser.Parse(filter, SearchTarget.Experiments),
            OrderByParser.Parse(orderBy, SearchTarget.Experiments),
            viewType,
            limit,
            offset);
        var page = await store.SearchExperimentsAsync(query, cancellationToken);
        return new Page<Experiment>(page.Items, page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null);
    }
}
