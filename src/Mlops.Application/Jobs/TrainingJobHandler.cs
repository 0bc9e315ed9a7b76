using System.Globalization;
using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Optimization;
using Mlops.Application.UseCases.Registry;
using Mlops.Application.UseCases.Tracking;
using Mlops.Application.UseCases.Training;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;
using Mlops.Domain.Optimization;
using Mlops.Domain.Tracking;
using Mlops.Domain.Training;

namespace Mlops.Application.Jobs;

/// <summary>
/// Runs a "train" job: tracks a run (params, per-fold and mean metrics, the data profile as its input dataset),
/// trains through <see cref="ITrainer"/>, stores the model package, feature importance and profile as run
/// artifacts, and registers the model when the spec asks. A retried job never registers twice: the version
/// carries the job id, and an existing one is reused.
/// </summary>
public sealed class TrainingJobHandler(
    ITrainingSpecReader specs,
    ITrainer trainer,
    ITrackingStore tracking,
    IArtifactStore artifacts,
    IdempotentRegistration registration,
    IStudyStore studies,
    TuneUseCase tuning,
    ReportTrialUseCase report,
    TimeProvider clock) : IJobHandler
{
    public const string JobIdTag = "mlops.job_id";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public string Kind => TrainModelUseCase.JobKind;

    public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = TrainingJobPayload.FromJson(context.Job.Payload);
        if (payload.Trial is null)
        {
            return await TrainAsync(context, payload, null, cancellationToken);
        }

        // A study trial: its value (or failure) is told to the study, which then queues the next trial.
        var trial = payload.Trial;
        try
        {
            var result = await TrainAsync(context, payload, await PruningAsync(context, payload, cancellationToken), cancellationToken);
            using var document = JsonDocument.Parse(result);
            var metric = document.RootElement.GetProperty("primary_metric").GetString()!;
            var value = document.RootElement.GetProperty("metrics").TryGetProperty(metric, out var v) ? v.GetDouble() : double.NaN;
            await studies.SetTrialLinksAsync(trial.StudyId, trial.Number, document.RootElement.GetProperty("run_id").GetString(), null, CancellationToken.None);
            await studies.FinishTrialAsync(trial.StudyId, trial.Number, double.IsFinite(value) ? TrialState.Complete : TrialState.Failed,
                double.IsFinite(value) ? [value] : null, double.IsFinite(value) ? null : $"the metric '{metric}' is {value}", Now(), CancellationToken.None);
            context.Log($"trial {trial.Number}: {metric} = {value.ToString("0.#####", CultureInfo.InvariantCulture)}");
            return result;
        }
        catch (TrialPrunedException pruned)
        {
            await studies.FinishTrialAsync(trial.StudyId, trial.Number, TrialState.Pruned, null, null, Now(), CancellationToken.None);
            context.Log($"trial {trial.Number}: pruned after fold {pruned.Step + 1}");
            return JsonSerializer.Serialize(new Dictionary<string, object?> { ["pruned"] = true, ["step"] = pruned.Step });
        }
        catch (Exception e) when (IsFinalFailure(context.Job, e))
        {
            await studies.FinishTrialAsync(trial.StudyId, trial.Number, TrialState.Failed, null, e.Message, Now(), CancellationToken.None);
            throw;
        }
        finally
        {
            await tuning.ContinueAsync(trial.StudyId, CancellationToken.None);
        }
    }

    /// <summary>Whether the worker will not run this job again (then the trial is failed; otherwise the retry may still complete it).</summary>
    private static bool IsFinalFailure(Job job, Exception e) =>
        e is OperationCanceledException or MlopsException { Kind: ErrorKind.InvalidArgument or ErrorKind.NotFound or ErrorKind.AlreadyExists }
        || job.Attempts >= job.MaxAttempts;

    /// <summary>
    /// For a study with a pruner: reports the running mean of the optimised metric after each fold (step = fold) and
    /// stops the trial when the pruner says so. Null when the study does not prune.
    /// </summary>
    private async Task<Func<int, IReadOnlyDictionary<string, double>, bool>?> PruningAsync(JobContext context, TrainingJobPayload payload, CancellationToken cancellationToken)
    {
        var study = await studies.GetStudyAsync(payload.Trial!.StudyId, cancellationToken);
        if (study is null || study.Pruner.Name == "none")
        {
            return null;
        }

        var metric = specs.Parse(payload.Spec).Metrics.Optimize;
        var sum = 0.0;
        return (fold, metrics) =>
        {
            if (!metrics.TryGetValue(metric, out var value))
            {
                return false;
            }

            sum += value;
            var mean = sum / (fold + 1);
            var prune = report.ReportAsync(study, payload.Trial.Number, fold, mean, cancellationToken).GetAwaiter().GetResult();
            context.Log($"trial {payload.Trial.Number}: fold {fold + 1} mean {metric} {mean.ToString("0.#####", CultureInfo.InvariantCulture)}{(prune ? " - the pruner stops it" : "")}");
            return prune;
        };
    }

    private async Task<string> TrainAsync(JobContext context, TrainingJobPayload payload, Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold, CancellationToken cancellationToken)
    {
        var spec = specs.Parse(payload.Spec);
        var work = Directory.CreateTempSubdirectory("mlops-train-").FullName;
        try
        {
            var dataPath = await LocalCopyAsync(spec.Dataset.Path, payload.BasePath, work, "data", cancellationToken);
            var foldsPath = spec.Dataset.FoldsFile is { } folds ? await LocalCopyAsync(folds, payload.BasePath, work, "folds", cancellationToken) : null;
            var experimentId = await tracking.GetOrCreateExperimentAsync(spec.Experiment, Now(), cancellationToken);
            await FailAbandonedAttemptsAsync(experimentId, context.Job, cancellationToken);
            var run = await StartRunAsync(spec, experimentId, context.Job, payload.Trial, cancellationToken);
            context.Log($"run {run.RunId} in experiment '{spec.Experiment}' ({experimentId})");
            try
            {
                var result = await TrainAndTrackAsync(context, spec, run, dataPath, foldsPath, Path.Combine(work, "model"), afterFold, cancellationToken);
                await tracking.UpdateRunAsync(run.RunId, RunStatus.Finished, Now(), null, CancellationToken.None);
                return result;
            }
            catch (TrialPrunedException)
            {
                await tracking.LogBatchAsync(new LogBatch(run.RunId, [], [], [new Tag("mlops.trial_state", "pruned")]), CancellationToken.None);
                await tracking.UpdateRunAsync(run.RunId, RunStatus.Killed, Now(), null, CancellationToken.None);
                await studies.SetTrialLinksAsync(payload.Trial!.StudyId, payload.Trial.Number, run.RunId, null, CancellationToken.None);
                throw;
            }
            catch (Exception)
            {
                await tracking.UpdateRunAsync(run.RunId, RunStatus.Failed, Now(), null, CancellationToken.None);
                throw;
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<string> TrainAndTrackAsync(JobContext context, TrainingSpec spec, RunInfo run, string dataPath, string? foldsPath, string packageFolder,
        Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold, CancellationToken cancellationToken)
    {
        var outcome = await Task.Run(() => trainer.Train(spec, dataPath, foldsPath, packageFolder, run.RunId, context.Log, (p, m) => context.ReportProgress(p * 0.9, m), cancellationToken, afterFold), cancellationToken);
        var now = Now();
        var metrics = new List<Metric>();
        for (var fold = 0; fold < outcome.FoldMetrics.Count; fold++)
        {
            metrics.AddRange(outcome.FoldMetrics[fold].Select(m => new Metric("fold_" + m.Key, m.Value, now, fold)));
        }

        metrics.AddRange(outcome.Metrics.Select(m => new Metric(m.Key, m.Value, now, 0)));
        if (outcome.FoldMetrics.Count > 1)
        {
            metrics.AddRange(outcome.Metrics.Select(m => new Metric(m.Key + "_std", StandardDeviation(outcome.FoldMetrics.Select(f => f[m.Key])), now, 0)));
        }

        metrics.Add(new Metric("fit_seconds", outcome.FitTime.TotalSeconds, now, 0));
        foreach (var chunk in metrics.Chunk(TrackingLimits.MaxMetricsPerBatch))
        {
            await tracking.LogBatchAsync(new LogBatch(run.RunId, chunk, [], []), cancellationToken);
        }

        context.ReportProgress(0.92, "storing the model package");
        var root = ArtifactUri.ToPath(run.ArtifactUri);
        foreach (var file in Directory.EnumerateFiles(packageFolder, "*", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            var relative = Path.GetRelativePath(packageFolder, file).Replace(Path.DirectorySeparatorChar, '/');
            await artifacts.WriteAsync(root.Combine(ArtifactPath.Parse("model/" + relative)), stream, cancellationToken);
        }

        await WriteJsonAsync(root.Combine(ArtifactPath.Parse("feature_importance.json")), outcome.FeatureImportance, cancellationToken);
        await WriteJsonAsync(root.Combine(ArtifactPath.Parse("data_profile.json")), JsonDocument.Parse(outcome.DataProfileJson).RootElement, cancellationToken);
        if (outcome.ConfusionMatrix is { } confusion)
        {
            // Rows are actual classes, columns predicted ones, counted on the last held-out split.
            await WriteJsonAsync(root.Combine(ArtifactPath.Parse("confusion_matrix.json")), confusion, cancellationToken);
        }
        await tracking.LogInputsAsync(run.RunId, [new DatasetInput(
            new Dataset(Path.GetFileNameWithoutExtension(spec.Dataset.Path), outcome.DataSha256[..16], spec.Dataset.IsArtifactUri ? "artifact" : "local",
                JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = spec.Dataset.Path }), null, outcome.DataProfileJson),
            [new Tag(SystemTags.DatasetContext, "training")])], cancellationToken);

        string? registered = null;
        if (spec.Register is { } registrationSpec)
        {
            context.ReportProgress(0.96, "registering the model");
            var version = await registration.RegisterAsync(registrationSpec.Model, registrationSpec.Alias, run.RunId, (JobIdTag, context.Job.Id.ToString(CultureInfo.InvariantCulture)), $"Trained by job {context.Job.Id}", cancellationToken);
            registered = $"{registrationSpec.Model}/{version.Version}";
            context.Log($"registered {registrationSpec.Model} version {version.Version}" + (registrationSpec.Alias is { } a ? $" (@{a})" : ""));
        }

        var primary = spec.Metrics.Optimize;
        context.Log($"{primary} = {outcome.Metrics.GetValueOrDefault(primary).ToString("0.0000", CultureInfo.InvariantCulture)} over {outcome.FoldMetrics.Count} fold(s), {outcome.Rows} rows");
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["run_id"] = run.RunId,
            ["experiment_id"] = run.ExperimentId,
            ["metrics"] = outcome.Metrics,
            ["primary_metric"] = primary,
            ["model_version"] = registered,
        });
    }

    /// <summary>A retry after a worker died: the runs earlier attempts left RUNNING are marked failed, so only one run of the job looks live.</summary>
    private async Task FailAbandonedAttemptsAsync(string experimentId, Job job, CancellationToken cancellationToken)
    {
        if (job.Attempts <= 1)
        {
            return;
        }

        var filter = Domain.Search.SearchFilterParser.Parse(
            $"tags.`{JobIdTag}` = '{job.Id.ToString(CultureInfo.InvariantCulture)}' AND attributes.status = 'RUNNING'", Domain.Search.SearchTarget.Runs);
        var abandoned = await tracking.SearchRunsAsync(new RunQuery([experimentId], filter, [], ViewType.ActiveOnly, 100, 0), cancellationToken);
        foreach (var run in abandoned.Items)
        {
            await tracking.UpdateRunAsync(run.Info.RunId, RunStatus.Failed, Now(), null, cancellationToken);
        }
    }

    private async Task<RunInfo> StartRunAsync(TrainingSpec spec, string experimentId, Job job, TrialReference? trial, CancellationToken cancellationToken)
    {
        var experiment = (await tracking.GetExperimentAsync(experimentId, cancellationToken))!;
        var runId = Guid.NewGuid().ToString("N");
        var name = spec.Name ?? $"{TrainingSpecNames.Of(spec.Trainer.Name)}-{job.Id}";
        var info = new RunInfo(runId, experimentId, name, "mlops-worker", RunStatus.Running, Now(), null, ArtifactUri.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        var tags = spec.Tags.Select(t => new Tag(t.Key, t.Value)).ToList();
        tags.Add(new Tag(SystemTags.RunName, name));
        tags.Add(new Tag(JobIdTag, job.Id.ToString(CultureInfo.InvariantCulture)));
        tags.Add(new Tag("mlops.job_attempt", job.Attempts.ToString(CultureInfo.InvariantCulture)));
        if (trial is not null)
        {
            tags.Add(new Tag("mlops.trial", trial.Number.ToString(CultureInfo.InvariantCulture)));
            if (trial.ParentRunId is { } parent)
            {
                tags.Add(new Tag(SystemTags.ParentRunId, parent));
            }
        }
        await tracking.CreateRunAsync(info, tags, cancellationToken);
        var parameters = new List<Param>
        {
            new("task", TrainingSpecNames.Of(spec.Task)),
            new("trainer", TrainingSpecNames.Of(spec.Trainer.Name)),
            new("label", spec.Dataset.Label),
            new("dataset", spec.Dataset.Path),
            new("validation", TrainingSpecNames.Of(spec.Validation.Method)),
            new("seed", spec.Validation.Seed.ToString(CultureInfo.InvariantCulture)),
        };
        parameters.Add(spec.Validation.Method == ValidationMethod.KFold
            ? new Param("folds", spec.Dataset.FoldsFile is null ? spec.Validation.Folds.ToString(CultureInfo.InvariantCulture) : "from " + spec.Dataset.FoldsFile)
            : new Param("holdout_fraction", spec.Validation.HoldoutFraction.ToString(CultureInfo.InvariantCulture)));
        parameters.AddRange(spec.Trainer.Hyperparameters.Select(h => new Param(h.Key, h.Value.ToString())));
        await tracking.LogBatchAsync(new LogBatch(runId, [], parameters, []), cancellationToken);
        return info;
    }

    /// <summary>Local files are used in place (relative to the spec's folder); artifact URIs are copied to the work folder.</summary>
    private async Task<string> LocalCopyAsync(string location, string? basePath, string work, string name, CancellationToken cancellationToken)
    {
        if (!DatasetSpec.IsArtifactLocation(location))
        {
            return Path.IsPathRooted(location) || basePath is null ? Path.GetFullPath(location) : Path.GetFullPath(Path.Combine(basePath, location));
        }

        ArtifactPath path;
        if (location.StartsWith("runs:/", StringComparison.Ordinal))
        {
            var rest = location["runs:/".Length..].TrimStart('/');
            var slash = rest.IndexOf('/');
            var runId = slash < 0 ? rest : rest[..slash];
            var run = await tracking.GetRunInfoAsync(runId, cancellationToken) ?? throw MlopsException.Invalid($"dataset.path: the run {runId} does not exist.");
            path = ArtifactUri.ToPath(run.ArtifactUri).Combine(ArtifactPath.Parse(slash < 0 ? "" : rest[(slash + 1)..]));
        }
        else
        {
            path = ArtifactUri.ToPath(location);
        }

        var local = Path.Combine(work, name + Path.GetExtension(path.Value));
        await using var source = await artifacts.OpenReadAsync(path, cancellationToken);
        await using var target = File.Create(local);
        await source.CopyToAsync(target, cancellationToken);
        return local;
    }

    private async Task WriteJsonAsync<T>(ArtifactPath path, T value, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(value, s_indented));
        await artifacts.WriteAsync(path, stream, cancellationToken);
    }

    private static double StandardDeviation(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, list.Count - 1));
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
