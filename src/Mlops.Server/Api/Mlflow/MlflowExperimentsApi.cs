using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Tracking;
using Mlops.Client.Contracts;
using Mlops.Domain.Tracking;

namespace Mlops.Server.Api.Mlflow;

/// <summary>MLflow's experiment endpoints (<c>/mlflow/experiments/*</c>).</summary>
public static class MlflowExperimentsApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapMlflowExperimentsApi(this RouteGroupBuilder group)
    {
        var experiments = group.MapGroup("/experiments").WithTags("MLflow experiments");
        experiments.MapPost("/create", CreateExperiment).WithRequestBody<CreateExperimentRequest>().Produces<CreateExperimentResponse>();
        experiments.MapGet("/get", GetExperiment).Produces<ExperimentResponse>();
        experiments.MapGet("/get-by-name", GetExperimentByName).Produces<ExperimentResponse>();
        experiments.MapPost("/search", SearchExperiments).WithRequestBody<SearchExperimentsRequest>().Produces<SearchExperimentsResponse>();
        experiments.MapGet("/search", SearchExperimentsByQuery).Produces<SearchExperimentsResponse>();
        experiments.MapPost("/delete", DeleteExperiment).WithRequestBody<ExperimentIdRequest>();
        experiments.MapPost("/restore", RestoreExperiment).WithRequestBody<ExperimentIdRequest>();
        experiments.MapPost("/update", UpdateExperiment).WithRequestBody<UpdateExperimentRequest>();
        experiments.MapPost("/set-experiment-tag", SetExperimentTag).WithRequestBody<SetExperimentTagRequest>();
        return group;
    }

    public static async Task<IResult> CreateExperiment(HttpContext context, CreateExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.CreateExperimentRequest);
        var id = await useCase.ExecuteAsync(
            MlflowRequest.Required(body.Name, "name"), body.ArtifactLocation, MlflowMapper.ToTags(body.Tags, "tags"), context.RequestAborted);
        return TypedResults.Json(new CreateExperimentResponse { ExperimentId = id }, s_json.CreateExperimentResponse);
    }

    public static async Task<IResult> GetExperiment(HttpContext context, GetExperimentUseCase useCase)
    {
        var experiment = await useCase.ByIdAsync(MlflowRequest.Query(context, "experiment_id"), context.RequestAborted);
        return TypedResults.Json(new ExperimentResponse { Experiment = experiment.ToDto() }, s_json.ExperimentResponse);
    }

    public static async Task<IResult> GetExperimentByName(HttpContext context, GetExperimentUseCase useCase)
    {
        var experiment = await useCase.ByNameAsync(MlflowRequest.Query(context, "experiment_name"), context.RequestAborted);
        return TypedResults.Json(new ExperimentResponse { Experiment = experiment.ToDto() }, s_json.ExperimentResponse);
    }

    public static async Task<IResult> SearchExperiments(HttpContext context, GetExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.SearchExperimentsRequest);
        return await SearchAsync(context, useCase, body);
    }

    public static Task<IResult> SearchExperimentsByQuery(HttpContext context, GetExperimentUseCase useCase) =>
        SearchAsync(context, useCase, new SearchExperimentsRequest
        {
            Filter = MlflowRequest.Query(context, "filter"),
            MaxResults = MlflowRequest.QueryInt64(context, "max_results"),
            PageToken = MlflowRequest.Query(context, "page_token"),
            OrderBy = MlflowRequest.QueryList(context, "order_by"),
            ViewType = MlflowRequest.Query(context, "view_type"),
        });

    public static async Task<IResult> DeleteExperiment(HttpContext context, UpdateExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.ExperimentIdRequest);
        await useCase.DeleteAsync(body.ExperimentId, context.RequestAborted);
        return Empty();
    }

    public static async Task<IResult> RestoreExperiment(HttpContext context, UpdateExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.ExperimentIdRequest);
        await useCase.RestoreAsync(body.ExperimentId, context.RequestAborted);
        return Empty();
    }

    public static async Task<IResult> UpdateExperiment(HttpContext context, UpdateExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.UpdateExperimentRequest);
        MlflowRequest.Required(body.ExperimentId, "experiment_id");
        if (!string.IsNullOrEmpty(body.NewName))
        {
            await useCase.RenameAsync(body.ExperimentId, body.NewName, context.RequestAborted);
        }

        return Empty();
    }

    public static async Task<IResult> SetExperimentTag(HttpContext context, UpdateExperimentUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.SetExperimentTagRequest);
        var tag = new Tag(MlflowRequest.Required(body.Key, "key"), body.Value ?? throw Domain.Common.MlopsException.Invalid("Missing value for required parameter 'value'."));
        await useCase.SetTagAsync(MlflowRequest.Required(body.ExperimentId, "experiment_id"), tag, context.RequestAborted);
        return Empty();
    }

    internal static IResult Empty() => TypedResults.Json(new EmptyResponse(), s_json.EmptyResponse);

    private static async Task<IResult> SearchAsync(HttpContext context, GetExperimentUseCase useCase, SearchExperimentsRequest body)
    {
        var page = await useCase.SearchAsync(
            body.Filter, body.OrderBy, MlflowRequest.ParseViewType(body.ViewType, "view_type"), body.MaxResults, body.PageToken, context.RequestAborted);
        return TypedResults.Json(
            new SearchExperimentsResponse { Experiments = page.Items.Select(e => e.ToDto()).ToList(), NextPageToken = page.NextPageToken },
            s_json.SearchExperimentsResponse);
    }
}
