using System.Globalization;
using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Registry;
using Mlops.Application.UseCases.Training;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;
using Mlops.Domain.Registry;
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
    IModelRegistryStore registry,
    RegisterModelVersionUseCase register,
    UpdateModelUseCase updateModel,
    TimeProvider clock) : IJobHandler
{
    public const string JobIdTag = "mlops.job_id";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public string Kind => TrainModelUseCase.JobKind;

    public async Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = TrainingJobPayload.FromJson(context.Job.Payload);
        var spec = specs.Parse(payload.Spec);
        var work = Directory.CreateTempSubdirectory("mlops-train-").FullName;
        try
        {
            var dataPath = await LocalCopyAsync(spec.Dataset.Path, payload.BasePath, work, "data", cancellationToken);
            var foldsPath = spec.Dataset.FoldsFile is { } folds ? await LocalCopyAsync(folds, payload.BasePath, work, "folds", cancellationToken) : null;
            var experimentId = await ExperimentAsync(spec.Experiment, cancellationToken);
            var run = await StartRunAsync(spec, experimentId, context.Job, cancellationToken);
            context.Log($"run {run.RunId} in experiment '{spec.Experiment}' ({experimentId})");
            try
            {
                var result = await TrainAndTrackAsync(context, spec, run, dataPath, foldsPath, Path.Combine(work, "model"), cancellationToken);
                await tracking.UpdateRunAsync(run.RunId, RunStatus.Finished, Now(), null, CancellationToken.None);
                return result;
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

    private async Task<string> TrainAndTrackAsync(JobContext context, TrainingSpec spec, RunInfo run, string dataPath, string? foldsPath, string packageFolder, CancellationToken cancellationToken)
    {
        var outcome = await Task.Run(() => trainer.Train(spec, dataPath, foldsPath, packageFolder, run.RunId, context.Log, (p, m) => context.ReportProgress(p * 0.9, m), cancellationToken), cancellationToken);
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
        if (spec.Register is { } registration)
        {
            context.ReportProgress(0.96, "registering the model");
            var version = await RegisterOnceAsync(registration, run.RunId, context.Job.Id, cancellationToken);
            registered = $"{registration.Model}/{version.Version}";
            context.Log($"registered {registration.Model} version {version.Version}" + (registration.Alias is { } a ? $" (@{a})" : ""));
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

    private async Task<ModelVersion> RegisterOnceAsync(RegistrationSpec registration, string runId, long jobId, CancellationToken cancellationToken)
    {
        var jobTag = jobId.ToString(CultureInfo.InvariantCulture);
        if (await registry.GetModelAsync(registration.Model, cancellationToken) is null)
        {
            try
            {
                await registry.CreateModelAsync(registration.Model, "", [], Now(), cancellationToken);
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
            {
            }
        }

        var escaped = registration.Model.Replace("'", "''", StringComparison.Ordinal);
        var existing = await registry.SearchVersionsAsync(new RegistryQuery(
            Domain.Search.SearchFilterParser.Parse($"name = '{escaped}' AND tags.`{JobIdTag}` = '{jobTag}'", Domain.Search.SearchTarget.ModelVersions), [], 1, 0), cancellationToken);
        var version = existing.Items.Count > 0
            ? existing.Items[0]
            : await register.ExecuteAsync(new RegisterModelVersionInput(registration.Model, $"runs:/{runId}/model", runId, [(JobIdTag, jobTag)], null, $"Trained by job {jobId}", "mlops-worker"), cancellationToken);
        if (registration.Alias is { } alias)
        {
            await updateModel.SetAliasAsync(registration.Model, alias, version.Version.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        return version;
    }

    private async Task<string> ExperimentAsync(string name, CancellationToken cancellationToken)
    {
        if (await tracking.GetExperimentByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing.ExperimentId;
        }

        try
        {
            return await tracking.CreateExperimentAsync(name, null, [], Now(), cancellationToken);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
        {
            return (await tracking.GetExperimentByNameAsync(name, cancellationToken))!.ExperimentId;
        }
    }

    private async Task<RunInfo> StartRunAsync(TrainingSpec spec, string experimentId, Job job, CancellationToken cancellationToken)
    {
        var experiment = (await tracking.GetExperimentAsync(experimentId, cancellationToken))!;
        var runId = Guid.NewGuid().ToString("N");
        var name = spec.Name ?? $"{TrainingSpecNames.Of(spec.Trainer.Name)}-{job.Id}";
        var info = new RunInfo(runId, experimentId, name, "mlops-worker", RunStatus.Running, Now(), null, ArtifactUri.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        var tags = spec.Tags.Select(t => new Tag(t.Key, t.Value)).ToList();
        tags.Add(new Tag(SystemTags.RunName, name));
        tags.Add(new Tag(JobIdTag, job.Id.ToString(CultureInfo.InvariantCulture)));
        tags.Add(new Tag("mlops.job_attempt", job.Attempts.ToString(CultureInfo.InvariantCulture)));
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
