using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    private const string NativeApi = "api/v1/";

    /// <summary>Creates a registered model.</summary>
    public async Task<RegisteredModelDto> CreateRegisteredModelAsync(string name, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/create", new RegistryRequest { Name = name, Description = description, Tags = ToPairs(tags) }, s_json.RegistryRequest, s_json.RegisteredModelResponse, cancellationToken)).RegisteredModel!;

    /// <summary>Gets a registered model with its aliases and latest version per stage.</summary>
    public async Task<RegisteredModelDto> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("registered-models/get" + Query(("name", name)), s_json.RegisteredModelResponse, cancellationToken)).RegisteredModel!;

    /// <summary>Searches registered models, e.g. <c>name LIKE 'churn%'</c>.</summary>
    public Task<SearchRegisteredModelsResponse> SearchRegisteredModelsAsync(string? filter = null, int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        GetAsync("registered-models/search" + Query(("filter", filter), ("max_results", maxResults?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)),
            s_json.SearchRegisteredModelsResponse, cancellationToken);

    /// <summary>Renames a registered model; its versions follow.</summary>
    public async Task<RegisteredModelDto> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/rename", new RegistryRequest { Name = name, NewName = newName }, s_json.RegistryRequest, s_json.RegisteredModelResponse, cancellationToken)).RegisteredModel!;

    /// <summary>Replaces the description of a registered model.</summary>
    public async Task<RegisteredModelDto> UpdateRegisteredModelAsync(string name, string description, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Patch, Api + "registered-models/update", new RegistryRequest { Name = name, Description = description }, s_json.RegistryRequest, s_json.RegisteredModelResponse, cancellationToken)).RegisteredModel!;

    /// <summary>Deletes a registered model and all its versions (recorded in the registry audit).</summary>
    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Api + "registered-models/delete", new RegistryRequest { Name = name }, s_json.RegistryRequest, s_json.EmptyResponse, cancellationToken);

    /// <summary>Sets a tag on a registered model.</summary>
    public Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("registered-models/set-tag", new RegistryRequest { Name = name, Key = key, Value = value }, s_json.RegistryRequest, s_json.EmptyResponse, cancellationToken);

    /// <summary>Registers a new version from artifacts on the server (<c>runs:/&lt;run&gt;/model</c> or <c>mlflow-artifacts:/...</c>).</summary>
    public async Task<ModelVersionDto> CreateModelVersionAsync(string name, string source, string? runId = null, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default) =>
        (await PostAsync("model-versions/create", new RegistryRequest { Name = name, Source = source, RunId = runId, Description = description, Tags = ToPairs(tags) },
            s_json.RegistryRequest, s_json.ModelVersionResponse, cancellationToken)).ModelVersion!;

    /// <summary>MLflow's register_model: creates the registered model when it does not exist, then a new version of it.</summary>
    public async Task<ModelVersionDto> RegisterModelAsync(string source, string name, string? description = null, CancellationToken cancellationToken = default)
    {
        // The version goes first: the server checks the source before it looks for the model, so a refused
        // source never leaves an empty registered model behind.
        try
        {
            return await CreateModelVersionAsync(name, source, description: description, cancellationToken: cancellationToken);
        }
        catch (MlopsApiException e) when (e.ErrorCode == "RESOURCE_DOES_NOT_EXIST")
        {
        }

        try
        {
            await CreateRegisteredModelAsync(name, cancellationToken: cancellationToken);
        }
        catch (MlopsApiException e) when (e.ErrorCode == "RESOURCE_ALREADY_EXISTS")
        {
        }

        return await CreateModelVersionAsync(name, source, description: description, cancellationToken: cancellationToken);
    }

    /// <summary>Gets one version of a model.</summary>
    public async Task<ModelVersionDto> GetModelVersionAsync(string name, string version, CancellationToken cancellationToken = default) =>
        (await GetAsync("model-versions/get" + Query(("name", name), ("version", version)), s_json.ModelVersionResponse, cancellationToken)).ModelVersion!;

    /// <summary>Lists versions matching a filter, e.g. <c>name = 'churn'</c> or <c>run_id = '...'</c>.</summary>
    public Task<ModelVersionsResponse> SearchModelVersionsAsync(string? filter = null, int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        GetAsync("model-versions/search" + Query(("filter", filter), ("max_results", maxResults?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)),
            s_json.ModelVersionsResponse, cancellationToken);

    /// <summary>The newest version in each requested stage (all stages when none are given).</summary>
    public async Task<IReadOnlyList<ModelVersionDto>> GetLatestVersionsAsync(string name, IEnumerable<string>? stages = null, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/get-latest-versions", new RegistryRequest { Name = name, Stages = stages?.ToList() }, s_json.RegistryRequest, s_json.ModelVersionsResponse, cancellationToken)).ModelVersions ?? [];

    /// <summary>Moves a version to None, Staging, Production or Archived.</summary>
    public async Task<ModelVersionDto> TransitionModelVersionStageAsync(string name, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default) =>
        (await PostAsync("model-versions/transition-stage", new RegistryRequest { Name = name, Version = version, Stage = stage, ArchiveExistingVersions = archiveExistingVersions },
            s_json.RegistryRequest, s_json.ModelVersionResponse, cancellationToken)).ModelVersion!;

    /// <summary>Deletes one version (recorded in the registry audit).</summary>
    public Task DeleteModelVersionAsync(string name, string version, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Api + "model-versions/delete", new RegistryRequest { Name = name, Version = version }, s_json.RegistryRequest, s_json.EmptyResponse, cancellationToken);

    /// <summary>Points an alias (e.g. "champion") at a version; moving it is atomic.</summary>
    public Task SetRegisteredModelAliasAsync(string name, string alias, string version, CancellationToken cancellationToken = default) =>
        PostAsync("registered-models/alias", new RegistryRequest { Name = name, Alias = alias, Version = version }, s_json.RegistryRequest, s_json.EmptyResponse, cancellationToken);

    /// <summary>Removes an alias.</summary>
    public Task DeleteRegisteredModelAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Api + "registered-models/alias", new RegistryRequest { Name = name, Alias = alias }, s_json.RegistryRequest, s_json.EmptyResponse, cancellationToken);

    /// <summary>The version an alias points at.</summary>
    public async Task<ModelVersionDto> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        (await GetAsync("registered-models/alias" + Query(("name", name), ("alias", alias)), s_json.ModelVersionResponse, cancellationToken)).ModelVersion!;

    /// <summary>Where a version came from: its run (params, metrics, datasets) and experiment, in one call.</summary>
    public async Task<ModelLineageResponse> GetModelLineageAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}models/{Uri.EscapeDataString(name)}/versions/{Uri.EscapeDataString(version)}/lineage", cancellationToken);
        return await ReadAsync(response, s_json.ModelLineageResponse, cancellationToken);
    }

    /// <summary>Resolves models:/name/3, models:/name@alias, models:/name/Stage, models:/name/latest or runs:/run/path on the server.</summary>
    public async Task<ResolvedModelResponse> ResolveModelUriAsync(string modelUri, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}model-uris/resolve" + Query(("uri", modelUri)), cancellationToken);
        return await ReadAsync(response, s_json.ResolvedModelResponse, cancellationToken);
    }

    /// <summary>Downloads every file of the model a URI names into <paramref name="destination"/>; returns what it resolved to.</summary>
    public async Task<ResolvedModelResponse> DownloadModelAsync(string modelUri, string destination, CancellationToken cancellationToken = default)
    {
        var resolved = await ResolveModelUriAsync(modelUri, cancellationToken);
        Directory.CreateDirectory(destination);
        await DownloadFolderByPathAsync(resolved.ArtifactPath ?? "", destination, cancellationToken);
        return resolved;
    }

    private async Task DownloadFolderByPathAsync(string folder, string destination, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(ArtifactsApi + Query(("path", folder)), cancellationToken);
        var listing = await ReadAsync(response, s_json.ListArtifactsResponse, cancellationToken);
        foreach (var entry in listing.Files ?? [])
        {
            var child = Join(folder, entry.Path!);
            var local = SafeLocalPath(destination, entry.Path!);
            if (entry.IsDir)
            {
                Directory.CreateDirectory(local);
                await DownloadFolderByPathAsync(child, local, cancellationToken);
            }
            else
            {
                await DownloadFileAsync(child, local, cancellationToken);
            }
        }
    }
}
