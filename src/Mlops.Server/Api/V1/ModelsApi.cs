using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Registry;
using Mlops.Client.Contracts;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Api.V1;

/// <summary>
/// The native registry API: resource-shaped routes with problem-details errors, over the same use cases as the
/// MLflow routes, plus what MLflow lacks (lineage, the deletion audit, model URI resolution).
/// </summary>
public static class ModelsApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder group)
    {
        var models = group.MapGroup("/models").WithTags("Models");
        models.MapGet("/", SearchModels).Produces<SearchRegisteredModelsResponse>();
        models.MapPost("/", CreateModel).WithRequestBody<RegistryRequest>().Produces<RegisteredModelResponse>(StatusCodes.Status201Created);
        models.MapGet("/{name}", GetModel).Produces<RegisteredModelResponse>();
        models.MapPatch("/{name}", UpdateModel).WithRequestBody<RegistryRequest>().Produces<RegisteredModelResponse>();
        models.MapDelete("/{name}", DeleteModel).Produces(StatusCodes.Status204NoContent);
        models.MapGet("/{name}/audit", GetAudit).Produces<RegistryAuditResponse>();
        models.MapGet("/{name}/versions", ListVersions).Produces<ModelVersionsResponse>();
        models.MapPost("/{name}/versions", RegisterVersion).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>(StatusCodes.Status201Created);
        models.MapGet("/{name}/versions/{version}", GetVersion).Produces<ModelVersionResponse>();
        models.MapPatch("/{name}/versions/{version}", UpdateVersion).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        models.MapDelete("/{name}/versions/{version}", DeleteVersion).Produces(StatusCodes.Status204NoContent);
        models.MapPost("/{name}/versions/{version}/stage", TransitionStage).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        models.MapGet("/{name}/versions/{version}/lineage", GetLineage).Produces<ModelLineageResponse>();
        models.MapGet("/{name}/aliases/{alias}", GetAlias).Produces<ModelVersionResponse>();
        models.MapPut("/{name}/aliases/{alias}", SetAlias).WithRequestBody<RegistryRequest>().Produces<ModelVersionResponse>();
        models.MapDelete("/{name}/aliases/{alias}", DeleteAlias).Produces(StatusCodes.Status204NoContent);
        group.MapGet("/model-uris/resolve", ResolveUri).WithTags("Models").Produces<ResolvedModelResponse>();
        return group;
    }

    public static async Task<IResult> SearchModels(HttpContext context, GetModelUseCase useCase)
    {
        var page = await useCase.SearchModelsAsync(MlflowRequest.Query(context, "filter"), MlflowRequest.QueryList(context, "order_by"),
            MlflowRequest.QueryInt64(context, "max_results"), MlflowRequest.Query(context, "page_token"), context.RequestAborted);
        return TypedResults.Json(new SearchRegisteredModelsResponse { RegisteredModels = page.Items.Select(m => m.ToDto()).ToList(), NextPageToken = page.NextPageToken }, s_json.SearchRegisteredModelsResponse);
    }

    public static async Task<IResult> CreateModel(HttpContext context, CreateModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        var model = await useCase.ExecuteAsync(body.Name, body.Description, body.Tags?.Select(t => (t?.Key, t?.Value)).ToList(), context.RequestAborted);
        return TypedResults.Json(new RegisteredModelResponse { RegisteredModel = model.ToDto() }, s_json.RegisteredModelResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> GetModel(string name, HttpContext context, GetModelUseCase useCase) =>
        TypedResults.Json(new RegisteredModelResponse { RegisteredModel = (await useCase.ModelAsync(name, context.RequestAborted)).ToDto() }, s_json.RegisteredModelResponse);

    /// <summary>Changes the description and/or the name (new_name) of a model.</summary>
    public static async Task<IResult> UpdateModel(string name, HttpContext context, UpdateModelUseCase useCase, GetModelUseCase get)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        var model = body.Description is null ? null : await useCase.UpdateDescriptionAsync(name, body.Description, context.RequestAborted);
        if (!string.IsNullOrEmpty(body.NewName) && body.NewName != name)
        {
            model = await useCase.RenameAsync(name, body.NewName, context.RequestAborted);
        }

        model ??= await get.ModelAsync(name, context.RequestAborted);
        return TypedResults.Json(new RegisteredModelResponse { RegisteredModel = model.ToDto() }, s_json.RegisteredModelResponse);
    }

    public static async Task<IResult> DeleteModel(string name, HttpContext context, UpdateModelUseCase useCase)
    {
        await useCase.DeleteAsync(name, context.User.Identity?.Name, context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> GetAudit(string name, HttpContext context, GetModelUseCase useCase)
    {
        var entries = await useCase.AuditAsync(name, context.RequestAborted);
        return TypedResults.Json(new RegistryAuditResponse
        {
            Entries = entries.Select(e => new RegistryAuditEntryDto { Time = e.Time, Action = e.Action, Name = e.Name, Version = e.Version, Detail = e.Detail }).ToList(),
        }, s_json.RegistryAuditResponse);
    }

    public static async Task<IResult> ListVersions(string name, HttpContext context, GetModelUseCase useCase)
    {
        _ = await useCase.ModelAsync(name, context.RequestAborted);
        var filter = $"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'";
        var page = await useCase.SearchVersionsAsync(filter, ["version_number DESC"], MlflowRequest.QueryInt64(context, "max_results"), MlflowRequest.Query(context, "page_token"), context.RequestAborted);
        return TypedResults.Json(new ModelVersionsResponse { ModelVersions = page.Items.Select(v => v.ToDto()).ToList(), NextPageToken = page.NextPageToken }, s_json.ModelVersionsResponse);
    }

    public static async Task<IResult> RegisterVersion(string name, HttpContext context, RegisterModelVersionUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        var version = await useCase.ExecuteAsync(
            new RegisterModelVersionInput(name, body.Source, body.RunId, body.Tags?.Select(t => (t?.Key, t?.Value)).ToList(), body.RunLink, body.Description, context.User.Identity?.Name),
            context.RequestAborted);
        return TypedResults.Json(new ModelVersionResponse { ModelVersion = version.ToDto() }, s_json.ModelVersionResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> GetVersion(string name, string version, HttpContext context, GetModelUseCase useCase) =>
        TypedResults.Json(new ModelVersionResponse { ModelVersion = (await useCase.VersionAsync(name, version, context.RequestAborted)).ToDto() }, s_json.ModelVersionResponse);

    public static async Task<IResult> UpdateVersion(string name, string version, HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        var updated = await useCase.UpdateVersionAsync(name, version, body.Description, context.RequestAborted);
        return TypedResults.Json(new ModelVersionResponse { ModelVersion = updated.ToDto() }, s_json.ModelVersionResponse);
    }

    public static async Task<IResult> DeleteVersion(string name, string version, HttpContext context, UpdateModelUseCase useCase)
    {
        await useCase.DeleteVersionAsync(name, version, context.User.Identity?.Name, context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> TransitionStage(string name, string version, HttpContext context, UpdateModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        var updated = await useCase.TransitionStageAsync(name, version, body.Stage, body.ArchiveExistingVersions ?? false, context.RequestAborted);
        return TypedResults.Json(new ModelVersionResponse { ModelVersion = updated.ToDto() }, s_json.ModelVersionResponse);
    }

    public static async Task<IResult> GetLineage(string name, string version, HttpContext context, GetModelUseCase useCase)
    {
        var lineage = await useCase.LineageAsync(name, version, context.RequestAborted);
        return TypedResults.Json(new ModelLineageResponse
        {
            ModelVersion = lineage.Version.ToDto(),
            Run = lineage.Run?.ToDto(),
            Experiment = lineage.Experiment?.ToDto(),
            Signature = lineage.Signature is { } signature
                ? new SignatureDto
                {
                    Inputs = signature.Inputs.Select(c => new ColumnSpecDto { Name = c.Name, Type = c.Type, Required = c.Required }).ToList(),
                    Outputs = signature.Outputs.Select(c => new ColumnSpecDto { Name = c.Name, Type = c.Type, Required = c.Required }).ToList(),
                }
                : null,
        }, s_json.ModelLineageResponse);
    }

    public static async Task<IResult> GetAlias(string name, string alias, HttpContext context, GetModelUseCase useCase) =>
        TypedResults.Json(new ModelVersionResponse { ModelVersion = (await useCase.ByAliasAsync(name, alias, context.RequestAborted)).ToDto() }, s_json.ModelVersionResponse);

    public static async Task<IResult> SetAlias(string name, string alias, HttpContext context, UpdateModelUseCase update, GetModelUseCase get)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RegistryRequest);
        await update.SetAliasAsync(name, alias, body.Version, context.RequestAborted);
        return TypedResults.Json(new ModelVersionResponse { ModelVersion = (await get.ByAliasAsync(name, alias, context.RequestAborted)).ToDto() }, s_json.ModelVersionResponse);
    }

    public static async Task<IResult> DeleteAlias(string name, string alias, HttpContext context, UpdateModelUseCase useCase)
    {
        await useCase.DeleteAliasAsync(name, alias, context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> ResolveUri(HttpContext context, ResolveModelUriUseCase useCase)
    {
        var resolved = await useCase.ExecuteAsync(MlflowRequest.Query(context, "uri"), context.RequestAborted);
        return TypedResults.Json(new ResolvedModelResponse
        {
            Uri = resolved.Uri,
            ArtifactUri = Domain.Artifacts.ArtifactUri.ForPath(resolved.Path),
            ArtifactPath = resolved.Path.Value,
            ModelVersion = resolved.Version?.ToDto(),
            RunId = resolved.RunId,
        }, s_json.ResolvedModelResponse);
    }
}
