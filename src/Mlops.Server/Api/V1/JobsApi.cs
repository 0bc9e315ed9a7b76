using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.UseCases.Jobs;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Api.V1;

/// <summary>The job queue over HTTP: submit, list, inspect, cancel, and read or follow a job's log.</summary>
public static class JobsApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder group)
    {
        var jobs = group.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", ListJobs).Produces<JobsResponse>();
        jobs.MapPost("/", SubmitJob).WithRequestBody<SubmitJobRequest>().Produces<JobResponse>(StatusCodes.Status201Created);
        jobs.MapGet("/{id:long}", GetJob).Produces<JobResponse>();
        jobs.MapPost("/{id:long}/cancel", CancelJob).Produces<JobResponse>();
        jobs.MapGet("/{id:long}/logs", GetLog).Produces<JobLogResponse>();
        group.MapPost("/train", SubmitTraining).WithTags("Jobs").WithRequestBody<TrainRequest>().Produces<JobResponse>(StatusCodes.Status201Created);
        return group;
    }

    public static async Task<IResult> ListJobs(HttpContext context, ManageJobsUseCase useCase)
    {
        var page = await useCase.ListAsync(MlflowRequest.Query(context, "status"), MlflowRequest.Query(context, "kind"), MlflowRequest.QueryInt64(context, "max_results"),
            MlflowRequest.Query(context, "page_token"), context.RequestAborted);
        return TypedResults.Json(new JobsResponse { Jobs = page.Items.Select(ToDto).ToList(), NextPageToken = page.NextPageToken }, s_json.JobsResponse);
    }

    public static async Task<IResult> SubmitJob(HttpContext context, ManageJobsUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.SubmitJobRequest);
        var job = await useCase.SubmitAsync(new NewJob(
            MlflowRequest.Required(body.Kind, "kind"),
            body.Payload is { } payload ? payload.GetRawText() : "{}",
            body.Queue ?? JobRules.DefaultQueue,
            body.Priority ?? 0,
            body.MaxAttempts ?? 3,
            body.BackoffSeconds ?? 5), context.RequestAborted);
        return TypedResults.Json(new JobResponse { Job = ToDto(job) }, s_json.JobResponse, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Validates a training spec and queues it as a "train" job.</summary>
    public static async Task<IResult> SubmitTraining(HttpContext context, Application.UseCases.Training.TrainModelUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.TrainRequest);
        var job = await useCase.SubmitAsync(MlflowRequest.Required(body.Spec, "spec"), body.BasePath, Math.Clamp(body.MaxAttempts ?? 2, 1, JobRules.MaxAttemptsLimit), context.RequestAborted);
        return TypedResults.Json(new JobResponse { Job = ToDto(job) }, s_json.JobResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> GetJob(long id, HttpContext context, ManageJobsUseCase useCase) =>
        TypedResults.Json(new JobResponse { Job = ToDto(await useCase.GetAsync(id, context.RequestAborted)) }, s_json.JobResponse);

    public static async Task<IResult> CancelJob(long id, HttpContext context, ManageJobsUseCase useCase) =>
        TypedResults.Json(new JobResponse { Job = ToDto(await useCase.CancelAsync(id, context.RequestAborted)) }, s_json.JobResponse);

    /// <summary>Log lines after <c>after</c>; with <c>wait_ms</c> the call waits (up to 30 s) for new lines, for `mlops jobs logs -f`.</summary>
    public static async Task<IResult> GetLog(long id, HttpContext context, ManageJobsUseCase useCase)
    {
        var after = MlflowRequest.QueryInt64(context, "after") ?? 0;
        var maxLines = (int)Math.Clamp(MlflowRequest.QueryInt64(context, "max_lines") ?? 1000, 1, 10_000);
        var waitMs = Math.Clamp(MlflowRequest.QueryInt64(context, "wait_ms") ?? 0, 0, 30_000);
        if (after < 0)
        {
            throw MlopsException.Invalid("after must not be negative.");
        }

        var deadline = DateTime.UtcNow.AddMilliseconds(waitMs);
        while (true)
        {
            var lines = await useCase.LogAsync(id, after, maxLines, context.RequestAborted);
            var job = await useCase.GetAsync(id, context.RequestAborted);
            if (lines.Count > 0 || job.Status.IsFinal() || DateTime.UtcNow >= deadline)
            {
                return TypedResults.Json(new JobLogResponse
                {
                    Lines = lines.Select(l => new JobLogLineDto { Sequence = l.Sequence, Time = l.Time, Text = l.Text }).ToList(),
                    LastSequence = lines.Count == 0 ? after : lines[^1].Sequence,
                    Status = job.Status.ToWire(),
                }, s_json.JobLogResponse);
            }

            await Task.Delay(250, context.RequestAborted);
        }
    }

    public static JobDto ToDto(Job job) => new()
    {
        Id = job.Id,
        Kind = job.Kind,
        Queue = job.Queue,
        Priority = job.Priority,
        Payload = job.Payload,
        Status = job.Status.ToWire(),
        Attempts = job.Attempts,
        MaxAttempts = job.MaxAttempts,
        LeaseOwner = job.LeaseOwner,
        LeaseExpiresAt = job.LeaseExpiresAt,
        HeartbeatAt = job.HeartbeatAt,
        Progress = job.Progress,
        ProgressMessage = job.ProgressMessage,
        CancelRequested = job.CancelRequested,
        CreatedAt = job.CreatedAt,
        StartedAt = job.StartedAt,
        FinishedAt = job.FinishedAt,
        Result = job.Result,
        Error = job.Error,
    };
}
