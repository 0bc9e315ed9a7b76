using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.Common;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Deployments;
using Mlops.Client.Contracts;
using Mlops.Domain.Deployments;
using Endpoint = Mlops.Domain.Deployments.Endpoint;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Api.V1;

/// <summary>Model deployments over HTTP: endpoints, their revisions and traffic, deploy, canary, promote, rollback, undeploy.</summary>
public static class EndpointsApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapEndpointsApi(this RouteGroupBuilder group)
    {
        var endpoints = group.MapGroup("/endpoints").WithTags("Deployments");
        endpoints.MapGet("/", List).Produces<EndpointsResponse>();
        endpoints.MapPost("/", Deploy).WithRequestBody<DeployRequest>().Produces<EndpointResponse>();
        endpoints.MapGet("/{name}", Get).Produces<EndpointResponse>();
        endpoints.MapPost("/{name}/canary", Canary).WithRequestBody<CanaryRequest>().Produces<EndpointResponse>();
        endpoints.MapPost("/{name}/shadow", Shadow).WithRequestBody<ShadowRequest>().Produces<EndpointResponse>();
        endpoints.MapPost("/{name}/scale", Scale).WithRequestBody<ScaleRequest>().Produces<EndpointResponse>();
        endpoints.MapPost("/{name}/settings", Configure).WithRequestBody<EndpointSettingsRequest>().Produces<EndpointResponse>();
        endpoints.MapGet("/{name}/predictions", Predictions).Produces<PredictionsResponse>();
        endpoints.MapGet("/{name}/shadow-comparison", CompareShadow).Produces<ShadowComparisonDto>();
        endpoints.MapPost("/{name}/promote", Promote).WithRequestBody<EndpointChangeRequest>().Produces<EndpointResponse>();
        endpoints.MapPost("/{name}/rollback", Rollback).WithRequestBody<EndpointChangeRequest>().Produces<EndpointResponse>();
        endpoints.MapDelete("/{name}", Undeploy).Produces<EndpointResponse>();
        return group;
    }

    public static async Task<IResult> List(HttpContext context, DeployModelUseCase useCase)
    {
        var max = (int)Math.Clamp(MlflowRequest.QueryInt64(context, "max_results") ?? 100, 1, 1000);
        var offset = PageToken.Decode(MlflowRequest.Query(context, "page_token"));
        var page = await useCase.ListAsync(max, offset, MlflowRequest.Query(context, "include_deleted") == "true", context.RequestAborted);
        return TypedResults.Json(new EndpointsResponse
        {
            Endpoints = [.. page.Items.Select(ToDto)],
            NextPageToken = page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null,
        }, s_json.EndpointsResponse);
    }

    public static async Task<IResult> Get(string name, HttpContext context, DeployModelUseCase useCase) =>
        Ok(await useCase.GetAsync(name, context.RequestAborted));

    /// <summary>A revision that fails its health check is a 400 naming why; the live revisions keep serving.</summary>
    public static async Task<IResult> Deploy(HttpContext context, DeployModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.DeployRequest);
        return Ok(await useCase.DeployAsync(MlflowRequest.Required(body.Name, "name"), MlflowRequest.Required(body.ModelUri, "model_uri"), body.User ?? "", body.Reason ?? "", context.RequestAborted, body.Replicas));
    }

    public static async Task<IResult> Canary(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.CanaryRequest);
        return Ok(await useCase.CanaryAsync(name, MlflowRequest.Required(body.ModelUri, "model_uri"), MlflowRequest.Required(body.Percent, "percent"), body.User ?? "", body.Reason ?? "", context.RequestAborted, body.Replicas));
    }

    public static async Task<IResult> Shadow(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.ShadowRequest);
        return Ok(await useCase.ShadowAsync(name, MlflowRequest.Required(body.ModelUri, "model_uri"), body.User ?? "", body.Reason ?? "", context.RequestAborted, body.Replicas));
    }

    public static async Task<IResult> Scale(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.ScaleRequest);
        return Ok(await useCase.ScaleAsync(name, body.Revision, MlflowRequest.Required(body.Replicas, "replicas"), body.User ?? "", body.Reason ?? "", context.RequestAborted));
    }

    public static async Task<IResult> Configure(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.EndpointSettingsRequest);
        return Ok(await useCase.ConfigureAsync(name, body.LogSampleRate, body.FollowAlias, body.User ?? "", body.Reason ?? "", context.RequestAborted));
    }

    /// <summary>Logged predictions, newest first; filter by revision and a time window (since/until, ms).</summary>
    public static async Task<IResult> Predictions(string name, HttpContext context, PredictionLogQueries queries)
    {
        var max = (int)Math.Clamp(MlflowRequest.QueryInt64(context, "max_results") ?? 100, 1, 1000);
        var offset = PageToken.Decode(MlflowRequest.Query(context, "page_token"));
        var revision = MlflowRequest.QueryInt64(context, "revision");
        var page = await queries.ListAsync(new PredictionQuery(name, (int?)revision, MlflowRequest.QueryInt64(context, "since"), MlflowRequest.QueryInt64(context, "until"), max, offset),
            context.RequestAborted);
        return TypedResults.Json(new PredictionsResponse
        {
            Predictions = [.. page.Items.Select(ToDto)],
            NextPageToken = page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null,
        }, s_json.PredictionsResponse);
    }

    public static async Task<IResult> CompareShadow(string name, HttpContext context, PredictionLogQueries queries)
    {
        var comparison = await queries.CompareShadowAsync(name, (int?)MlflowRequest.QueryInt64(context, "revision"), MlflowRequest.QueryInt64(context, "since"), context.RequestAborted);
        return TypedResults.Json(new ShadowComparisonDto
        {
            Endpoint = comparison.Endpoint,
            Shadow = comparison.Shadow,
            Paired = comparison.Paired,
            ShadowErrors = comparison.ShadowErrors,
            Agreement = comparison.Agreement,
            MeanAbsoluteDifference = comparison.MeanAbsoluteDifference.ToDictionary(),
            LiveModelMicrosecondsP50 = comparison.LiveModelMicrosecondsP50,
            ShadowModelMicrosecondsP50 = comparison.ShadowModelMicrosecondsP50,
        }, s_json.ShadowComparisonDto);
    }

    public static async Task<IResult> Promote(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await ChangeAsync(context);
        return Ok(await useCase.PromoteAsync(name, body.Revision, body.User ?? "", body.Reason ?? "", context.RequestAborted));
    }

    public static async Task<IResult> Rollback(string name, HttpContext context, DeployModelUseCase useCase)
    {
        var body = await ChangeAsync(context);
        return Ok(await useCase.RollbackAsync(name, body.User ?? "", body.Reason ?? "", context.RequestAborted));
    }

    public static async Task<IResult> Undeploy(string name, HttpContext context, DeployModelUseCase useCase) =>
        Ok(await useCase.UndeployAsync(name, MlflowRequest.Query(context, "user") ?? "", MlflowRequest.Query(context, "reason") ?? "", context.RequestAborted));

    public static EndpointDto ToDto(Endpoint endpoint) => new()
    {
        Name = endpoint.Name,
        State = endpoint.State.ToWire(),
        CreatedAt = endpoint.CreatedAt,
        Settings = new EndpointSettingsDto { LogSampleRate = endpoint.Settings.LogSampleRate, FollowAlias = endpoint.Settings.FollowAlias },
        Traffic = [.. EndpointRules.TrafficSplit(endpoint).Select(r => new TrafficShareDto { Revision = r.Number, Percent = r.Weight })],
        Revisions = [.. endpoint.Revisions.Select(r => new RevisionDto
        {
            Number = r.Number,
            ModelUri = r.ModelUri,
            ModelName = r.ResolvedModel?.Name,
            ModelVersion = r.ResolvedModel?.Version,
            Role = r.Role.ToWire(),
            Weight = r.Weight,
            Replicas = r.Replicas,
            State = r.State.ToWire(),
            CreatedAt = r.CreatedAt,
            CreatedBy = r.CreatedBy,
            Reason = r.Reason,
            RestoredFrom = r.RestoredFrom,
            Error = r.Error,
        })],
        History = [.. endpoint.History.Select(h => new EndpointChangeDto
        {
            Sequence = h.Sequence,
            Kind = h.Kind.ToWire(),
            Revision = h.Revision,
            At = h.At,
            By = h.By,
            Reason = h.Reason,
            Detail = h.Detail,
        })],
    };

    private static PredictionDto ToDto(PredictionRecord record) => new()
    {
        Revision = record.Revision,
        Role = record.Role.ToWire(),
        RequestId = record.RequestId,
        At = record.At,
        ModelMicroseconds = record.ModelMicroseconds,
        Rows = record.Rows,
        Inputs = Parse(record.InputsJson),
        Outputs = Parse(record.OutputsJson),
        Error = record.Error,
    };

    private static System.Text.Json.JsonElement Parse(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>An empty body is allowed for promote and rollback.</summary>
    private static async Task<EndpointChangeRequest> ChangeAsync(HttpContext context) =>
        context.Request.ContentLength is 0 or null && context.Request.Headers.TransferEncoding.Count == 0
            ? new EndpointChangeRequest()
            : await MlflowRequest.ReadBodyAsync(context, s_json.EndpointChangeRequest);

    private static IResult Ok(Endpoint endpoint) => TypedResults.Json(new EndpointResponse { Endpoint = ToDto(endpoint) }, s_json.EndpointResponse);

}
