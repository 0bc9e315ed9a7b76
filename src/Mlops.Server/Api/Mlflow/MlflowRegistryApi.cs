using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Registry;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;

namespace Mlops.Server.Api.Mlflow;

/// <summary>MLflow's model registry endpoints (<c>/mlflow/registered-models/*</c>, <c>/mlflow/model-versions/*</c>).</summary>
public static class MlflowRegistryApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapMlflowRegistryApi(this RouteGroupBuilder group)
    {
        var models = group.MapGroup("/registered-models").WithTags("MLflow model registry");
        models.MapPost("/create", CreateRegisteredModel).WithRequestBody<RegistryRequest>().Produces<RegisteredModelResponse>();
        models.MapPost("/rename", RenameRegisteredModel).WithRequestBody<RegistryRequest>().Produces<RegisteredModelResponse>();
        models.MapPatch("/update", UpdateRegisteredModel).WithRequestBody<RegistryRequest>().Produces<RegisteredModelResponse>();
        models.MapDelete("/delete", DeleteRegisteredModel).WithRequestBody<RegistryRequest>();
        models.MapGet("/get", GetRegisteredModel).Produces<RegisteredModelResponse>();
        models.MapGet("/search", SearchRegisteredModels).Produces<SearchRegisteredModelsResponse>();
        models.MapPost("/get-latest-versions", GetLatestVersions).WithRequestBody<RegistryRequest>().Produces<ModelVersionsResponse>();
        models.MapGet("/get-latest-versions", GetLatestVersions).Produces<ModelVersionsResponse>();
        models.MapPost("/set-tag", SetRegisteredModelTag).WithRequestBody<RegistryRequest>();
        models.MapDelete("/delete-tag", DeleteRegisteredModelTag).WithRequestBody<RegistryRequest>();
        models.MapPost("/alias", SetRegisteredModelAlias).WithRequestBody<RegistryRequest>();
        models.MapDelete("/alias", DeleteRegisteredModelAlias).WithRequestBody<RegistryRequest>();
        models.MapGet("/alias", GetModelVersionByAlias).Produces<ModelVersionResponse>();

        var versions = group.MapGroup("/model-versions").WithTags("MLflow model registry");
        versions.MapPost("/create", CreateModelVersion).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        versions.MapPatch("/update", UpdateModelVersion).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        versions.MapPost("/transition-stage", TransitionModelVersionStage).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        versions.MapDelete("/delete", DeleteModelVersion).WithRequestBody<RegistryRequest>();
        versions.MapGet("/get", GetModelVersion).Produces<ModelVersionResponse>();
        versions.MapGet("/search", SearchModelVersions).Produces<ModelVersionsResponse>();
        versions.MapGet("/get-download-uri", GetModelVersionDownloadUri).Produces<DownloadUriResponse>();
        versions.MapPost("/set-tag", SetModelVersionTag).WithRequestBody<RegistryRequest>();
        versions.MapDelete("/delete-tag", DeleteModelVersionTag).WithRequestBody<RegistryRequest>();
        return group;
    }

    public static async Task<IResult> CreateRegisteredModel(HttpContext context, CreateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        var model = await useCase.ExecuteAsync(body.Name, body.Description, Pairs(body.Tags), context.RequestAborted);
        return ModelResult(model.ToDto());
    }

    public static async Task<IResult> RenameRegisteredModel(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        return ModelResult((await useCase.RenameAsync(body.Name, body.NewName, context.RequestAborted)).ToDto());
    }

    public static async Task<IResult> UpdateRegisteredModel(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        return ModelResult((await useCase.UpdateDescriptionAsync(body.Name, body.Description, context.RequestAborted)).ToDto());
    }

    public static async Task<IResult> DeleteRegisteredModel(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.DeleteAsync(body.Name, RequestedBy(context), context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> GetRegisteredModel(HttpContext context, GetModelUseCase useCase)
    {
        var model = await useCase.ModelAsync(MlflowRequest.Query(context, "name"), context.RequestAborted);
        return ModelResult(model.ToDto());
    }

    public static async Task<IResult> SearchRegisteredModels(HttpContext context, GetModelUseCase useCase)
    {
        var page = await useCase.SearchModelsAsync(
            MlflowRequest.Query(context, "filter"), MlflowRequest.QueryList(context, "order_by"), MlflowRequest.QueryInt64(context, "max_results"),
            MlflowRequest.Query(context, "page_token"), context.RequestAborted);
        return TypedResults.Json(
            new SearchRegisteredModelsResponse { RegisteredModels = page.Items.Select(m => m.ToDto()).ToList(), NextPageToken = page.NextPageToken },
            s_json.SearchRegisteredModelsResponse);
    }

    public static async Task<IResult> GetLatestVersions(HttpContext context, GetModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        var stages = HttpMethods.IsGet(context.Request.Method) ? MlflowRequest.QueryList(context, "stages") : body.Stages;
        var versions = await useCase.LatestVersionsAsync(body.Name, stages, context.RequestAborted);
        return TypedResults.Json(new ModelVersionsResponse { ModelVersions = versions.Select(v => v.ToDto()).ToList() }, s_json.ModelVersionsResponse);
    }

    public static async Task<IResult> SetRegisteredModelTag(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.SetTagAsync(body.Name, body.Key, body.Value, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> DeleteRegisteredModelTag(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.DeleteTagAsync(body.Name, body.Key, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> SetRegisteredModelAlias(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.SetAliasAsync(body.Name, body.Alias, body.Version, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> DeleteRegisteredModelAlias(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.DeleteAliasAsync(body.Name, body.Alias, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> GetModelVersionByAlias(HttpContext context, GetModelUseCase useCase)
    {
        var version = await useCase.ByAliasAsync(MlflowRequest.Query(context, "name"), MlflowRequest.Query(context, "alias"), context.RequestAborted);
        return VersionResult(version.ToDto());
    }

    public static async Task<IResult> CreateModelVersion(HttpContext context, RegisterModelVersionUseCase useCase)
    {
        var body = await ReadAsync(context);
        var version = await useCase.ExecuteAsync(
            new RegisterModelVersionInput(body.Name, body.Source, body.RunId, Pairs(body.Tags), body.RunLink, body.Description, RequestedBy(context)),
            context.RequestAborted);
        return VersionResult(version.ToDto());
    }

    public static async Task<IResult> UpdateModelVersion(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        return VersionResult((await useCase.UpdateVersionAsync(body.Name, body.Version, body.Description, context.RequestAborted)).ToDto());
    }

    public static async Task<IResult> TransitionModelVersionStage(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        var version = await useCase.TransitionStageAsync(body.Name, body.Version, body.Stage, body.ArchiveExistingVersions ?? false, context.RequestAborted);
        return VersionResult(version.ToDto());
    }

    public static async Task<IResult> DeleteModelVersion(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.DeleteVersionAsync(body.Name, body.Version, RequestedBy(context), context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> GetModelVersion(HttpContext context, GetModelUseCase useCase)
    {
        var version = await useCase.VersionAsync(MlflowRequest.Query(context, "name"), MlflowRequest.Query(context, "version"), context.RequestAborted);
        return VersionResult(version.ToDto());
    }

    public static async Task<IResult> SearchModelVersions(HttpContext context, GetModelUseCase useCase)
    {
        var page = await useCase.SearchVersionsAsync(
            MlflowRequest.Query(context, "filter"), MlflowRequest.QueryList(context, "order_by"), MlflowRequest.QueryInt64(context, "max_results"),
            MlflowRequest.Query(context, "page_token"), context.RequestAborted);
        return TypedResults.Json(new ModelVersionsResponse { ModelVersions = page.Items.Select(v => v.ToDto()).ToList(), NextPageToken = page.NextPageToken }, s_json.ModelVersionsResponse);
    }

    public static async Task<IResult> GetModelVersionDownloadUri(HttpContext context, GetModelUseCase useCase)
    {
        var version = await useCase.VersionAsync(MlflowRequest.Query(context, "name"), MlflowRequest.Query(context, "version"), context.RequestAborted);
        return TypedResults.Json(new DownloadUriResponse { ArtifactUri = version.Source }, s_json.DownloadUriResponse);
    }

    public static async Task<IResult> SetModelVersionTag(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.SetVersionTagAsync(body.Name, body.Version, body.Key, body.Value, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> DeleteModelVersionTag(HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await ReadAsync(context);
        await useCase.DeleteVersionTagAsync(body.Name, body.Version, body.Key, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    /// <summary>
    /// GET requests carry their fields in the query string; POST, PATCH and DELETE in a JSON body, as the MLflow
    /// client sends them. A DELETE without a body falls back to the query string, which curl users expect.
    /// </summary>
    private static async Task<RegistryRequest> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        var noBody = request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true);
        if (HttpMethods.IsGet(request.Method) || (HttpMethods.IsDelete(request.Method) && noBody))
        {
            return new RegistryRequest
            {
                Name = MlflowRequest.Query(context, "name"),
                Version = MlflowRequest.Query(context, "version"),
                Key = MlflowRequest.Query(context, "key"),
                Alias = MlflowRequest.Query(context, "alias"),
            };
        }

        return await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
    }

    private static List<(string? Key, string? Value)>? Pairs(List<KeyValueDto>? items)
    {
        if (items is null)
        {
            return null;
        }

        return items.Select((item, i) => item is null
            ? throw MlopsException.Invalid($"tags[{i}] must be an object with key and value.")
            : (item.Key, item.Value)).ToList();
    }

    private static string? RequestedBy(HttpContext context) => context.User.Identity?.Name;

    private static IResult ModelResult(RegisteredModelDto model) =>
        TypedResults.Json(new RegisteredModelResponse { RegisteredModel = model }, s_json.RegisteredModelResponse);

    private static IResult VersionResult(ModelVersionDto version) =>
        TypedResults.Json(new ModelVersionResponse { ModelVersion = version }, s_json.ModelVersionResponse);
}
