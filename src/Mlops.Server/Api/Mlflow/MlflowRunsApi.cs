using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Tracking;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Server.Api.Mlflow;

/// <summary>MLflow's run and metric endpoints (<c>/mlflow/runs/*</c>, <c>/mlflow/metrics/*</c>).</summary>
public static class MlflowRunsApi
{
    /// <summary>
    /// MLflow caps a log-batch body at 1 MB, yet its own item limits allow a larger batch (100 params of 6000
    /// characters alone are 600 KB); 2 MB accepts every batch within the item limits.
    /// </summary>
    public const long LogBatchBodyLimit = 2L * 1024 * 1024;

    public const long LogInputsBodyLimit = 64L * 1024 * 1024;

    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapMlflowRunsApi(this RouteGroupBuilder group)
    {
        var runs = group.MapGroup("/runs").WithTags("MLflow runs");
        runs.MapPost("/create", CreateRun).WithRequestBody<CreateRunRequest>().Produces<RunResponse>();
        runs.MapPost("/update", UpdateRun).WithRequestBody<UpdateRunRequest>().Produces<UpdateRunResponse>();
        runs.MapPost("/delete", DeleteRun).WithRequestBody<RunIdRequest>();
        runs.MapPost("/restore", RestoreRun).WithRequestBody<RunIdRequest>();
        runs.MapPost("/log-metric", LogMetric).WithRequestBody<LogMetricRequest>();
        runs.MapPost("/log-parameter", LogParameter).WithRequestBody<KeyValueRequest>();
        runs.MapPost("/set-tag", SetTag).WithRequestBody<KeyValueRequest>();
        runs.MapPost("/delete-tag", DeleteTag).WithRequestBody<DeleteTagRequest>();
        runs.MapGet("/get", GetRun).Produces<RunResponse>();
        runs.MapPost("/search", SearchRuns).WithRequestBody<SearchRunsRequest>().Produces<SearchRunsResponse>();
        runs.MapPost("/log-batch", LogBatch).WithRequestBody<LogBatchRequest>();
        runs.MapPost("/log-model", LogModel).WithRequestBody<LogModelRequest>();
        runs.MapPost("/log-inputs", LogInputs).WithRequestBody<LogInputsRequest>();

        var metrics = group.MapGroup("/metrics").WithTags("MLflow runs");
        metrics.MapGet("/get-history", GetMetricHistory).Produces<MetricHistoryResponse>();
        metrics.MapGet("/get-history-bulk", GetMetricHistoryBulk).Produces<MetricHistoryResponse>();
        return group;
    }

    public static async Task<IResult> CreateRun(HttpContext context, CreateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.CreateRunRequest);
        var run = await useCase.ExecuteAsync(
            new CreateRunInput(body.ExperimentId, body.UserId, body.RunName, body.StartTime, MlflowMapper.ToTags(body.Tags, "tags")),
            context.RequestAborted);
        return TypedResults.Json(new RunResponse { Run = run.ToDto() }, s_json.RunResponse);
    }

    public static async Task<IResult> UpdateRun(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.UpdateRunRequest);
        var info = await useCase.UpdateAsync(body.RunId, body.RunUuid, body.Status, body.EndTime, body.RunName, context.RequestAborted);
        return TypedResults.Json(new UpdateRunResponse { RunInfo = info.ToDto() }, s_json.UpdateRunResponse);
    }

    public static async Task<IResult> DeleteRun(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RunIdRequest);
        await useCase.DeleteAsync(body.RunId, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> RestoreRun(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.RunIdRequest);
        await useCase.RestoreAsync(body.RunId, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> LogMetric(HttpContext context, LogBatchUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.LogMetricRequest);
        var metric = new Metric(
            MlflowRequest.Required(body.Key, "key"),
            MlflowRequest.Required(body.Value, "value"),
            MlflowRequest.Required(body.Timestamp, "timestamp"),
            body.Step ?? 0);
        await useCase.LogMetricAsync(string.IsNullOrEmpty(body.RunId) ? body.RunUuid : body.RunId, metric, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> LogParameter(HttpContext context, LogBatchUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.KeyValueRequest);
        var param = new Param(MlflowRequest.Required(body.Key, "key"), body.Value ?? throw MlopsException.Invalid("Missing value for required parameter 'value'."));
        await useCase.LogParamAsync(string.IsNullOrEmpty(body.RunId) ? body.RunUuid : body.RunId, param, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> SetTag(HttpContext context, LogBatchUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.KeyValueRequest);
        var tag = new Tag(MlflowRequest.Required(body.Key, "key"), body.Value ?? throw MlopsException.Invalid("Missing value for required parameter 'value'."));
        await useCase.SetTagAsync(string.IsNullOrEmpty(body.RunId) ? body.RunUuid : body.RunId, tag, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> DeleteTag(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.DeleteTagRequest);
        await useCase.DeleteTagAsync(body.RunId, MlflowRequest.Required(body.Key, "key"), context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> GetRun(HttpContext context, GetRunUseCase useCase)
    {
        var run = await useCase.ByIdAsync(MlflowRequest.Query(context, "run_id"), MlflowRequest.Query(context, "run_uuid"), context.RequestAborted);
        return MlflowJsonWriter.Result(writer => MlflowJsonWriter.WriteRunResponse(writer, run));
    }

    public static async Task<IResult> SearchRuns(HttpContext context, GetRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.SearchRunsRequest);
        var page = await useCase.SearchAsync(
            new SearchRunsInput(body.ExperimentIds, body.Filter, body.OrderBy, MlflowRequest.ParseViewType(body.RunViewType, "run_view_type"), body.MaxResults, body.PageToken),
            context.RequestAborted);
        return MlflowJsonWriter.Result(writer => MlflowJsonWriter.WriteRuns(writer, page.Items, page.NextPageToken));
    }

    public static async Task<IResult> LogBatch(HttpContext context, LogBatchUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.LogBatchRequest, LogBatchBodyLimit);
        var batch = new LogBatch(
            MlflowRequest.Required(body.RunId, "run_id"),
            MlflowMapper.ToMetrics(body.Metrics),
            MlflowMapper.ToParams(body.Params),
            MlflowMapper.ToTags(body.Tags, "tags"));
        await useCase.ExecuteAsync(batch, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> LogModel(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.LogModelRequest);
        await useCase.LogModelAsync(body.RunId, body.ModelJson, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> LogInputs(HttpContext context, UpdateRunUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.LogInputsRequest, LogInputsBodyLimit);
        await useCase.LogInputsAsync(body.RunId, MlflowMapper.ToInputs(body.Datasets), context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> GetMetricHistory(HttpContext context, GetRunUseCase useCase)
    {
        var page = await useCase.MetricHistoryAsync(
            MlflowRequest.Query(context, "run_id"),
            MlflowRequest.Query(context, "run_uuid"),
            MlflowRequest.Query(context, "metric_key"),
            MlflowRequest.QueryInt64(context, "max_results"),
            MlflowRequest.Query(context, "page_token"),
            context.RequestAborted);
        return MlflowJsonWriter.Result(writer => MlflowJsonWriter.WriteHistory(writer, page.Items, page.NextPageToken));
    }

    /// <summary>The web UI's helper: one metric of up to 100 runs, each point tagged with its run id.</summary>
    public static async Task<IResult> GetMetricHistoryBulk(HttpContext context, GetRunUseCase useCase)
    {
        var runIds = MlflowRequest.QueryList(context, "run_id");
        if (runIds.Count == 0)
        {
            throw MlopsException.Invalid("GetMetricHistoryBulk request must specify at least one run_id.");
        }

        if (runIds.Count > 100)
        {
            throw MlopsException.Invalid($"GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received {runIds.Count} run_ids.");
        }

        var key = MlflowRequest.Required(MlflowRequest.Query(context, "metric_key"), "metric_key");
        var maxResults = MlflowRequest.QueryInt64(context, "max_results") ?? 25_000;
        if (maxResults is < 1 or > TrackingLimits.MaxMetricHistoryPage)
        {
            throw MlopsException.Invalid($"Invalid value {maxResults} for parameter 'max_results' supplied: it must be between 1 and {TrackingLimits.MaxMetricHistoryPage}.");
        }
        var all = new List<MetricDto>();
        foreach (var runId in runIds)
        {
            var page = await useCase.MetricHistoryAsync(runId, null, key, maxResults, null, context.RequestAborted);
            all.AddRange(page.Items.Select(m => new MetricDto(m.Key, m.Value, m.Timestamp, m.Step) { RunId = runId }));
        }

        return TypedResults.Json(new MetricHistoryResponse { Metrics = all.Take((int)maxResults).ToList() }, s_json.MetricHistoryResponse);
    }
}
