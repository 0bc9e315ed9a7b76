using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.Common;
using Mlops.Application.UseCases.Optimization;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Api.V1;

/// <summary>
/// Hyperparameter studies over HTTP: ask/tell for objectives written in any language, tuning studies whose trials
/// are training jobs, and reading results (trials, best, parameter importances).
/// </summary>
public static class StudiesApi
{
    private const int MaxListResults = 1000;
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;

    public static RouteGroupBuilder MapStudiesApi(this RouteGroupBuilder group)
    {
        var studies = group.MapGroup("/studies").WithTags("Studies");
        studies.MapGet("/", ListStudies).Produces<StudiesResponse>();
        studies.MapPost("/", CreateStudy).WithRequestBody<Client.Contracts.CreateStudyRequest>().Produces<StudyResponse>(StatusCodes.Status201Created);
        studies.MapGet("/{name}", GetStudy).Produces<StudyResponse>();
        studies.MapGet("/{name}/trials", GetTrials).Produces<TrialsResponse>();
        studies.MapGet("/{name}/best", GetBest).Produces<TrialsResponse>();
        studies.MapGet("/{name}/importances", GetImportances).Produces<ImportancesResponse>();
        studies.MapPost("/{name}/stop", Stop).Produces<StudyResponse>();
        studies.MapPost("/{name}/ask", Ask).Produces<TrialResponse>(StatusCodes.Status201Created);
        studies.MapPost("/{name}/trials/{number:int}/report", Report).WithRequestBody<ReportRequest>().Produces<ReportResponse>();
        studies.MapPost("/{name}/trials/{number:int}/tell", Tell).WithRequestBody<TellRequest>().Produces<TrialResponse>();
        group.MapPost("/tune", Tune).WithTags("Studies").WithRequestBody<TuneRequest>().Produces<StudyResponse>(StatusCodes.Status201Created);
        return group;
    }

    public static async Task<IResult> ListStudies(HttpContext context, GetStudyUseCase useCase)
    {
        var max = (int)Math.Clamp(MlflowRequest.QueryInt64(context, "max_results") ?? 100, 1, MaxListResults);
        var offset = PageToken.Decode(MlflowRequest.Query(context, "page_token"));
        var (studies, hasMore) = await useCase.ListAsync(max, offset, context.RequestAborted);
        return TypedResults.Json(new StudiesResponse
        {
            Studies = [.. studies.Select(ToDto)],
            NextPageToken = hasMore ? PageToken.Encode(offset + studies.Count) : null,
        }, s_json.StudiesResponse);
    }

    public static async Task<IResult> CreateStudy(HttpContext context, CreateStudyUseCase useCase, GetStudyUseCase read)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.CreateStudyRequest);
        var directions = body.Directions is { Count: > 0 } list ? list : [body.Direction ?? "minimize"];
        if (body.Directions is { Count: > 0 } && body.Direction is not null)
        {
            throw MlopsException.Invalid("Give either direction or directions, not both.");
        }

        var space = body.Space is { } element ? SearchSpaceJson.Parse(element) : throw MlopsException.Invalid("space: required (an array of parameters).");
        var study = await useCase.CreateAsync(new Application.UseCases.Optimization.CreateStudyRequest(
            MlflowRequest.Required(body.Name, "name"),
            [.. directions.Select(StudyRules.ParseDirection)],
            space,
            body.Sampler,
            body.Seed ?? 0,
            body.Pruner,
            body.PrunerOptions,
            body.LoadIfExists ?? false), context.RequestAborted);
        return TypedResults.Json(new StudyResponse { Study = ToDto(await read.GetAsync(study.Name, context.RequestAborted)) }, s_json.StudyResponse, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Reading a training study also catches up on it (queues trials, fails orphaned ones, completes it).</summary>
    public static async Task<IResult> GetStudy(string name, HttpContext context, GetStudyUseCase useCase, TuneUseCase tuning)
    {
        var summary = await useCase.GetAsync(name, context.RequestAborted);
        if (summary.Study.Objective is not null && summary.Study.Status == StudyStatus.Running)
        {
            await tuning.ContinueAsync(summary.Study, context.RequestAborted);
            summary = await useCase.GetAsync(name, context.RequestAborted);
        }

        return TypedResults.Json(new StudyResponse { Study = ToDto(summary) }, s_json.StudyResponse);
    }

    public static async Task<IResult> GetTrials(string name, HttpContext context, GetStudyUseCase useCase)
    {
        var (study, trials) = await useCase.TrialsAsync(name, context.RequestAborted);
        return TypedResults.Json(new TrialsResponse { Trials = [.. trials.Select(t => ToDto(study, t))] }, s_json.TrialsResponse);
    }

    public static async Task<IResult> GetBest(string name, HttpContext context, GetStudyUseCase useCase)
    {
        var summary = await useCase.GetAsync(name, context.RequestAborted);
        return TypedResults.Json(new TrialsResponse { Trials = [.. summary.Best.Select(t => ToDto(summary.Study, t))] }, s_json.TrialsResponse);
    }

    public static async Task<IResult> GetImportances(string name, HttpContext context, GetStudyUseCase useCase) =>
        TypedResults.Json(new ImportancesResponse
        {
            Importances = new Dictionary<string, double>(await useCase.ImportancesAsync(name, context.RequestAborted)),
            Method = "permutation importance on a random forest fitted to the complete trials",
        }, s_json.ImportancesResponse);

    /// <summary>No new trials; a training study's trial jobs are cancelled.</summary>
    public static async Task<IResult> Stop(string name, HttpContext context, StopStudyUseCase useCase, GetStudyUseCase read)
    {
        var study = await useCase.StopAsync(name, context.RequestAborted);
        return TypedResults.Json(new StudyResponse { Study = ToDto(await read.GetAsync(study.Name, context.RequestAborted)) }, s_json.StudyResponse);
    }

    public static async Task<IResult> Ask(string name, HttpContext context, AskTrialUseCase useCase)
    {
        var asked = await useCase.AskAsync(name, context.RequestAborted);
        return TypedResults.Json(new TrialResponse { Trial = ToDto(asked.Study, asked.Trial) }, s_json.TrialResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> Report(string name, int number, HttpContext context, ReportTrialUseCase useCase)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.ReportRequest);
        var prune = await useCase.ReportAsync(name, number, MlflowRequest.Required(body.Step, "step"), MlflowRequest.Required(body.Value, "value"), context.RequestAborted);
        return TypedResults.Json(new ReportResponse { ShouldPrune = prune }, s_json.ReportResponse);
    }

    public static async Task<IResult> Tell(string name, int number, HttpContext context, TellTrialUseCase useCase, GetStudyUseCase read)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.TellRequest);
        if (body.Values is not null && body.Value is not null)
        {
            throw MlopsException.Invalid("Give either value or values, not both.");
        }

        var values = body.Values ?? (body.Value is { } v ? [v] : null);
        var state = body.State?.Trim().ToLowerInvariant() switch
        {
            null or "" or "complete" => TrialState.Complete,
            "pruned" => TrialState.Pruned,
            "failed" or "fail" => TrialState.Failed,
            var other => throw MlopsException.Invalid($"state: '{other}' is not complete, pruned or failed."),
        };
        var trial = await useCase.TellAsync(name, number, state, values, body.Error, context.RequestAborted);
        var study = (await read.GetAsync(name, context.RequestAborted)).Study;
        return TypedResults.Json(new TrialResponse { Trial = ToDto(study, trial) }, s_json.TrialResponse);
    }

    public static async Task<IResult> Tune(HttpContext context, TuneUseCase useCase, GetStudyUseCase read)
    {
        var body = await MlflowRequest.ReadBodyAsync(context, s_json.TuneRequest);
        if (body.TimeoutSeconds is <= 0)
        {
            throw MlopsException.Invalid("timeout_seconds must be positive.");
        }

        var study = await useCase.StartAsync(MlflowRequest.Required(body.Spec, "spec"), body.BasePath,
            new TuneOverrides(body.Trials, body.Parallel, body.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, body.Sampler, body.Seed, body.Name), context.RequestAborted);
        return TypedResults.Json(new StudyResponse { Study = ToDto(await read.GetAsync(study.Name, context.RequestAborted)) }, s_json.StudyResponse, statusCode: StatusCodes.Status201Created);
    }

    public static StudyDto ToDto(StudySummary summary)
    {
        var study = summary.Study;
        var plan = study.Objective is null ? null : TuningPlan.FromJson(study.Objective);
        return new StudyDto
        {
            Id = study.Id,
            Name = study.Name,
            Directions = [.. study.Directions.Select(d => d.ToWire())],
            Space = JsonSerializer.SerializeToElement(SearchSpaceJson.ToJson(study.Space), s_jsonNode),
            Sampler = study.Sampler.Name,
            SamplerResolved = SamplerCatalog.Resolve(study.Sampler.Name, study.Space, study.Directions.Count),
            Seed = study.Sampler.Seed,
            Pruner = study.Pruner.Name,
            PrunerOptions = new Dictionary<string, double>(study.Pruner.Options),
            Status = study.Status.ToWire(),
            Objective = study.Objective is null ? "external" : "training",
            ExperimentId = study.ExperimentId,
            ParentRunId = study.ParentRunId,
            CreatedAt = study.CreatedAt,
            TotalTrials = summary.TotalTrials,
            TrialCounts = summary.Counts.ToDictionary(c => c.Key.ToWire(), c => c.Value),
            BestTrials = [.. summary.Best.Select(t => ToDto(study, t))],
            PlannedTrials = plan?.Trials,
            Parallel = plan?.Parallel,
        };
    }

    public static TrialDto ToDto(Study study, Trial trial) => new()
    {
        Number = trial.Number,
        State = trial.State.ToWire(),
        Params = study.Space.ToExternal(trial.Params).ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(SearchSpaceJson.ValueToJson(p.Value), s_jsonNode)),
        Values = trial.Values?.ToList(),
        Intermediate = trial.Intermediate.ToDictionary(i => i.Key.ToString(CultureInfo.InvariantCulture), i => i.Value),
        StartedAt = trial.StartedAt,
        CompletedAt = trial.CompletedAt,
        RunId = trial.RunId,
        JobId = trial.JobId,
        Error = trial.Error,
    };

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<System.Text.Json.Nodes.JsonNode?> s_jsonNode =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<System.Text.Json.Nodes.JsonNode?>)JsonSerializerOptions.Default.GetTypeInfo(typeof(System.Text.Json.Nodes.JsonNode));
}
