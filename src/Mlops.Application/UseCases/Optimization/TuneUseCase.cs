using System.Globalization;
using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Registry;
using Mlops.Application.UseCases.Tracking;
using Mlops.Application.UseCases.Training;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>Overrides of a tuning spec's <c>tune:</c> section from the command line or the API.</summary>
public sealed record TuneOverrides(int? Trials = null, int? Parallel = null, TimeSpan? Timeout = null, string? Sampler = null, long? Seed = null, string? Name = null);

/// <summary>
/// Runs a tuning study whose trials are training jobs. There is no long-running driver: starting the study queues
/// the first <c>parallel</c> trials, and every trial that ends queues the next, so trials spread over all workers,
/// a restart loses nothing (the study and its trials are in the store), and no worker slot is held waiting.
/// The last trial to end completes the study, summarises it on the parent run and registers the best model.
/// </summary>
public sealed class TuneUseCase(
    ITuningSpecReader specs,
    IStudyStore studies,
    IJobQueue queue,
    ITrackingStore tracking,
    IdempotentRegistration registration,
    TimeProvider clock)
{
    public const string StudyTag = "mlops.study";

    public async Task<Study> StartAsync(string specText, string? basePath, TuneOverrides overrides, CancellationToken cancellationToken)
    {
        var spec = specs.Parse(specText);
        var options = spec.Options with
        {
            Trials = overrides.Trials ?? spec.Options.Trials,
            Parallel = overrides.Parallel ?? spec.Options.Parallel,
            Timeout = overrides.Timeout ?? spec.Options.Timeout,
            Sampler = overrides.Sampler ?? spec.Options.Sampler,
            Seed = overrides.Seed ?? spec.Options.Seed,
        };
        if (options.Trials is < 1 or > TuneOptions.MaxTrials || options.Parallel is < 1 or > TuneOptions.MaxParallel)
        {
            throw MlopsException.Invalid($"tune.trials must be 1 to {TuneOptions.MaxTrials} and tune.parallel 1 to {TuneOptions.MaxParallel}.");
        }

        var name = overrides.Name ?? spec.Name;
        StudyRules.CheckName(name);
        var sampler = new SamplerSpec(SamplerCatalog.Normalize(options.Sampler), options.Seed);
        var pruner = PrunerCatalog.Validate(options.Pruner, null);
        if (await studies.GetStudyAsync(name, cancellationToken) is not null)
        {
            throw MlopsException.AlreadyExists($"A study named '{name}' already exists; pick another name (tune --name) or inspect it with `mlops studies get {name}`.");
        }

        var experimentId = await tracking.GetOrCreateExperimentAsync(spec.Template.Experiment, Now(), cancellationToken);
        var parentRunId = await StartParentRunAsync(name, experimentId, spec, options, sampler, cancellationToken);
        var plan = new TuningPlan(specText, basePath, options.Trials, options.Parallel,
            options.Timeout is { } timeout ? Now() + (long)timeout.TotalMilliseconds : null, spec.Template.Metrics.Optimize,
            spec.Template.Register?.Model, spec.Template.Register?.Alias);
        Study study;
        try
        {
            study = await studies.CreateStudyAsync(new NewStudy(name, [spec.Direction], spec.Space, sampler, pruner, plan.ToJson(), experimentId, parentRunId), Now(), cancellationToken);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
        {
            // Another request started a study of this name first; its parent run is the only one that should show.
            await tracking.UpdateRunAsync(parentRunId, RunStatus.Failed, Now(), null, CancellationToken.None);
            await tracking.SetRunLifecycleAsync(parentRunId, LifecycleStage.Deleted, Now(), CancellationToken.None);
            throw;
        }

        await ContinueAsync(study, cancellationToken);
        return study;
    }

    /// <summary>
    /// Queues trials while the budget, parallelism and deadline allow; marks trials whose job ended without telling
    /// (a worker died on the last attempt) as failed; completes the study when nothing is left to run. Safe to call
    /// any number of times from anywhere: the store's limits make it idempotent.
    /// </summary>
    public async Task ContinueAsync(Study study, CancellationToken cancellationToken)
    {
        if (study.Objective is null || study.Status != StudyStatus.Running)
        {
            return;
        }

        var plan = TuningPlan.FromJson(study.Objective);
        await FailOrphanedTrialsAsync(study, cancellationToken);
        var propose = TrialProposer.For(study);
        while (plan.Deadline is null || Now() < plan.Deadline)
        {
            var trial = await studies.AddTrialAsync(study.Id, new TrialLimits(plan.Trials, plan.Parallel), propose, Now(), cancellationToken);
            if (trial is null)
            {
                break;
            }

            var values = study.Space.ToExternal(trial.Params);
            var text = specs.TrialSpec(plan.Spec, values, $"{study.Name}-trial-{trial.Number}");
            var payload = new TrainingJobPayload(text, plan.BasePath, new TrialReference(study.Id, trial.Number, study.ParentRunId));
            var job = await queue.EnqueueAsync(new NewJob(TrainModelUseCase.JobKind, payload.ToJson(), MaxAttempts: 2), Now(), cancellationToken);
            await studies.SetTrialLinksAsync(study.Id, trial.Number, null, job.Id, cancellationToken);
        }

        var trials = await studies.ListTrialsAsync(study.Id, cancellationToken);
        var budgetSpent = trials.Count >= plan.Trials || (plan.Deadline is { } deadline && Now() >= deadline);
        if (budgetSpent && trials.All(t => t.IsFinished)
            && await studies.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Completed, cancellationToken))
        {
            await FinishAsync(study, plan, trials, cancellationToken);
        }
    }

    public async Task ContinueAsync(long studyId, CancellationToken cancellationToken)
    {
        if (await studies.GetStudyAsync(studyId, cancellationToken) is { } study)
        {
            await ContinueAsync(study, cancellationToken);
        }
    }

    private async Task FailOrphanedTrialsAsync(Study study, CancellationToken cancellationToken)
    {
        foreach (var trial in (await studies.ListTrialsAsync(study.Id, cancellationToken)).Where(t => t is { State: TrialState.Running, JobId: not null }))
        {
            var job = await queue.GetAsync(trial.JobId!.Value, cancellationToken);
            if (job is null || job.Status.IsFinal())
            {
                await studies.FinishTrialAsync(study.Id, trial.Number, TrialState.Failed, null,
                    $"its job {trial.JobId} ended {job?.Status.ToWire() ?? "missing"} without a result: {job?.Error}", Now(), cancellationToken);
            }
        }
    }

    private async Task FinishAsync(Study study, TuningPlan plan, IReadOnlyList<Trial> trials, CancellationToken cancellationToken)
    {
        var best = StudyRules.Best(study, trials) is [var first, ..] ? first : null;
        if (study.ParentRunId is { } parent)
        {
            var metrics = new List<Metric> { new("trials_complete", trials.Count(t => t.State == TrialState.Complete), Now(), 0) };
            if (best is not null)
            {
                metrics.Add(new Metric("best_" + plan.Metric, best.Values![0], Now(), 0));
            }

            var tags = new List<Tag> { new("mlops.best_trial", best?.Number.ToString(CultureInfo.InvariantCulture) ?? "none") };
            if (best?.RunId is { } bestRun)
            {
                tags.Add(new Tag("mlops.best_run_id", bestRun));
            }

            await tracking.LogBatchAsync(new LogBatch(parent, metrics, [], tags), cancellationToken);
            await tracking.UpdateRunAsync(parent, best is null ? RunStatus.Failed : RunStatus.Finished, Now(), null, cancellationToken);
        }

        if (plan.RegisterModel is { } model && best?.RunId is { } runId)
        {
            await registration.RegisterAsync(model, plan.RegisterAlias, runId, (StudyTag, study.Name),
                $"Best of study '{study.Name}': trial {best.Number}, {plan.Metric} = {best.Values![0].ToString("0.#####", CultureInfo.InvariantCulture)}", cancellationToken);
        }
    }

    private async Task<string> StartParentRunAsync(string name, string experimentId, TuningSpec spec, TuneOptions options, SamplerSpec sampler, CancellationToken cancellationToken)
    {
        var experiment = (await tracking.GetExperimentAsync(experimentId, cancellationToken))!;
        var runId = Guid.NewGuid().ToString("N");
        await tracking.CreateRunAsync(
            new RunInfo(runId, experimentId, name, "mlops", RunStatus.Running, Now(), null, ArtifactUri.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active),
            [new Tag(SystemTags.RunName, name), new Tag(StudyTag, name)], cancellationToken);
        await tracking.LogBatchAsync(new LogBatch(runId, [],
        [
            new Param("sampler", SamplerCatalog.Resolve(sampler.Name, spec.Space, 1)),
            new Param("seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
            new Param("trials", options.Trials.ToString(CultureInfo.InvariantCulture)),
            new Param("parallel", options.Parallel.ToString(CultureInfo.InvariantCulture)),
            new Param("metric", spec.Template.Metrics.Optimize),
            new Param("direction", spec.Direction.ToWire()),
            new Param("search_space", Truncate(SearchSpaceJson.Serialize(spec.Space))),
        ], []), cancellationToken);
        return runId;
    }

    private static string Truncate(string value) => value.Length <= TrackingLimits.MaxParamValueLength ? value : value[..(TrackingLimits.MaxParamValueLength - 3)] + "...";

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>What a training study keeps about its objective (stored with the study as JSON).</summary>
public sealed record TuningPlan(string Spec, string? BasePath, int Trials, int Parallel, long? Deadline, string Metric, string? RegisterModel, string? RegisterAlias)
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static TuningPlan FromJson(string json) => JsonSerializer.Deserialize<TuningPlan>(json, s_json) ?? throw MlopsException.Invalid("The study's tuning plan is empty.");
}
