using Mlops.Application.Common;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Registry;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Registry;

/// <summary>Where a model version came from (its run, that run's experiment, params, metrics and datasets) and what it expects (its signature).</summary>
public sealed record ModelLineage(ModelVersion Version, Run? Run, Experiment? Experiment, ModelSignature? Signature);

/// <summary>Read the registry: models, versions, aliases, latest versions per stage, lineage and the audit trail.</summary>
public sealed class GetModelUseCase(IModelRegistryStore registry, ITrackingStore tracking, IModelPackageInspector packages)
{
    public const int DefaultModelSearchResults = 100;
    public const int MaxModelSearchResults = 1000;
    public const int DefaultVersionSearchResults = 10_000;
    public const int MaxVersionSearchResults = 200_000;

    public async Task<RegisteredModel> ModelAsync(string? name, CancellationToken cancellationToken)
    {
        var valid = ModelManagementService.ValidateModelName(name);
        return await registry.GetModelAsync(valid, cancellationToken) ?? throw ModelManagementService.ModelNotFound(valid);
    }

    public async Task<ModelVersion> VersionAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        var valid = ModelManagementService.ValidateModelName(name);
        var number = ModelManagementService.ParseVersion(version);
        _ = await registry.GetModelAsync(valid, cancellationToken) ?? throw ModelManagementService.ModelNotFound(valid);
        return await registry.GetVersionAsync(valid, number, cancellationToken) ?? throw ModelManagementService.VersionNotFound(valid, number);
    }

    public async Task<ModelVersion> ByAliasAsync(string? name, string? alias, CancellationToken cancellationToken)
    {
        var valid = ModelManagementService.ValidateModelName(name);
        var validAlias = ModelManagementService.ValidateAlias(alias);
        _ = await registry.GetModelAsync(valid, cancellationToken) ?? throw ModelManagementService.ModelNotFound(valid);
        return await registry.GetVersionByAliasAsync(valid, validAlias, cancellationToken) ?? throw ModelManagementService.AliasNotFound(valid, validAlias);
    }

    public async Task<IReadOnlyList<ModelVersion>> LatestVersionsAsync(string? name, IReadOnlyList<string>? stages, CancellationToken cancellationToken)
    {
        var valid = ModelManagementService.ValidateModelName(name);
        var parsed = (stages ?? []).Where(s => !string.IsNullOrEmpty(s)).Select(ModelStages.Parse).ToList();
        _ = await registry.GetModelAsync(valid, cancellationToken) ?? throw ModelManagementService.ModelNotFound(valid);
        return await registry.GetLatestVersionsAsync(valid, parsed, cancellationToken);
    }

    public async Task<Page<RegisteredModel>> SearchModelsAsync(string? filter, IReadOnlyList<string>? orderBy, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var query = Query(filter, orderBy, maxResults, pageToken, SearchTarget.RegisteredModels, DefaultModelSearchResults, MaxModelSearchResults);
        var page = await registry.SearchModelsAsync(query, cancellationToken);
        return new Page<RegisteredModel>(page.Items, page.HasMore ? PageToken.Encode(query.Offset + page.Items.Count) : null);
    }

    public async Task<Page<ModelVersion>> SearchVersionsAsync(string? filter, IReadOnlyList<string>? orderBy, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var query = Query(filter, orderBy, maxResults, pageToken, SearchTarget.ModelVersions, DefaultVersionSearchResults, MaxVersionSearchResults);
        var page = await registry.SearchVersionsAsync(query, cancellationToken);
        return new Page<ModelVersion>(page.Items, page.HasMore ? PageToken.Encode(query.Offset + page.Items.Count) : null);
    }

    /// <summary>"Where did this model come from" in one call.</summary>
    public async Task<ModelLineage> LineageAsync(string? name, string? version, CancellationToken cancellationToken)
    {
        var modelVersion = await VersionAsync(name, version, cancellationToken);
        var run = modelVersion.RunId is null ? null : await tracking.GetRunAsync(modelVersion.RunId, cancellationToken);
        var experiment = run is null ? null : await tracking.GetExperimentAsync(run.Info.ExperimentId, cancellationToken);
        var signature = await packages.ReadSignatureAsync(Domain.Artifacts.ArtifactUri.ToPath(modelVersion.Source), cancellationToken);
        return new ModelLineage(modelVersion, run, experiment, signature);
    }

    public async Task<IReadOnlyList<RegistryAuditEntry>> AuditAsync(string? name, CancellationToken cancellationToken) =>
        await registry.GetAuditAsync(ModelManagementService.ValidateModelName(name), cancellationToken);

    private static RegistryQuery Query(string? filter, IReadOnlyList<string>? orderBy, long? maxResults, string? pageToken, SearchTarget target, int defaultLimit, int maxLimit)
    {
        if (maxResults is < 0 || maxResults > maxLimit)
        {
            throw MlopsException.Invalid($"Invalid value {maxResults} for parameter 'max_results' supplied: it must be between 1 and {maxLimit}.");
        }

        return new RegistryQuery(
            SearchFilterParser.Parse(filter, target),
            OrderByParser.Parse(orderBy, target),
            maxResults is null or 0 ? defaultLimit : (int)maxResults.Value,
            PageToken.Decode(pageToken));
    }
}
