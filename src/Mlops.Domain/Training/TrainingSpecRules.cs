using System.Text.RegularExpressions;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;

namespace Mlops.Domain.Training;

/// <summary>
/// The rules a training spec must follow whoever built it: column roles that do not contradict each other, a trainer
/// that supports the task, known hyperparameters in range, a metric of the task, a valid registration.
/// Every problem names the field path as written in a spec file.
/// </summary>
public static partial class TrainingSpecRules
{
    private static readonly string[] s_csvExtensions = [".csv", ".tsv", ".txt"];
    private static readonly string[] s_parquetExtensions = [".parquet", ".pq"];

    // A URI scheme of two or more characters; one letter followed by ':' is a Windows drive, which is a local path.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]+:")]
    private static partial Regex UriScheme();

    /// <summary>Returns <paramref name="spec"/> when it follows every rule; otherwise throws one InvalidArgument listing every problem.</summary>
    public static TrainingSpec Validate(TrainingSpec spec)
    {
        var problems = Check(spec);
        return problems.Count == 0 ? spec : throw Failure(problems.Select(p => p.ToString()));
    }

    /// <summary>Every problem with <paramref name="spec"/>, in field order; empty when it is valid.</summary>
    public static IReadOnlyList<TrainingSpecProblem> Check(TrainingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<TrainingSpecProblem>();
        CheckRun(spec, problems);
        var taskKnown = Enum.IsDefined(spec.Task);
        if (!taskKnown)
        {
            problems.Add(new("task", $"not a known task; use one of {SpecText.List(TrainingSpecNames.Tasks)}"));
        }

        var validation = spec.Validation ?? new ValidationSpec();
        if (spec.Dataset is null)
        {
            problems.Add(new("dataset", "is required"));
        }
        else
        {
            CheckDataset(spec.Dataset, validation, problems);
        }

        if (spec.Trainer is null)
        {
            problems.Add(new("trainer", "is required"));
        }
        else
        {
            CheckTrainer(spec.Trainer, taskKnown ? spec.Task : null, problems);
        }

        CheckValidation(validation, problems);
        if (taskKnown)
        {
            CheckMetrics(spec.Metrics, spec.Task, problems);
        }

        if (spec.Register is not null)
        {
            CheckRegistration(spec.Register, problems);
        }

        return problems;
    }

    /// <summary>The exception for a spec with problems: one line per problem, each starting with its field path.</summary>
    public static MlopsException Failure(IEnumerable<string> problems) => MlopsException.Invalid(string.Join('\n', problems));

    private static void CheckRun(TrainingSpec spec, List<TrainingSpecProblem> problems)
    {
        if (spec.Name is { } name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add(new("name", "must not be empty; leave it out to get a generated run name"));
            }
            else if (name.Length > TrackingLimits.MaxRunNameLength)
            {
                problems.Add(new("name", $"is {name.Length} characters long; the limit is {TrackingLimits.MaxRunNameLength}"));
            }
        }

        if (string.IsNullOrWhiteSpace(spec.Experiment))
        {
            problems.Add(new("experiment", $"must not be empty; leave it out to use the \"{TrainingSpec.DefaultExperiment}\" experiment"));
        }
        else if (spec.Experiment.Length > TrackingLimits.MaxExperimentNameLength)
        {
            problems.Add(new("experiment", $"is {spec.Experiment.Length} characters long; the limit is {TrackingLimits.MaxExperimentNameLength}"));
        }

        var tags = spec.Tags ?? new Dictionary<string, string>();
        if (tags.Count > TrackingLimits.MaxTagsPerBatch)
        {
            problems.Add(new("tags", $"has {tags.Count} tags; the limit is {TrackingLimits.MaxTagsPerBatch}"));
        }

        foreach (var (key, value) in tags)
        {
            var path = "tags." + key;
            try
            {
                ExperimentTrackingService.ValidateTagKey(key, path);
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                problems.Add(new(path, e.Message));
                continue;
            }

            if (value is null)
            {
                problems.Add(new(path, "the value must not be null"));
            }
            else if (value.Length > TrackingLimits.MaxTagValueLength)
            {
                problems.Add(new(path, $"the value is {value.Length} characters long; the limit is {TrackingLimits.MaxTagValueLength}"));
            }
        }
    }

    private static void CheckDataset(DatasetSpec dataset, ValidationSpec validation, List<TrainingSpecProblem> problems)
    {
        var pathValid = CheckLocation(dataset.Path, "dataset.path", problems);
        var label = dataset.Label;
        if (string.IsNullOrWhiteSpace(label))
        {
            problems.Add(new("dataset.label", "must name the label column"));
            label = null;
        }

        var features = dataset.Features;
        var categorical = dataset.Categorical ?? [];
        var text = dataset.Text ?? [];
        var ignore = dataset.Ignore ?? [];
        if (features is { Count: 0 })
        {
            problems.Add(new("dataset.features", "lists no columns; leave it out to use every column except the label and the ignored ones"));
        }

        var featureSet = features is null ? null : CheckColumnList(features, "dataset.features", problems);
        var categoricalSet = CheckColumnList(categorical, "dataset.categorical", problems);
        var textSet = CheckColumnList(text, "dataset.text", problems);
        var ignoreSet = CheckColumnList(ignore, "dataset.ignore", problems);

        for (var i = 0; i < (features?.Count ?? 0); i++)
        {
            var column = features![i];
            var path = $"dataset.features[{i}]";
            if (string.IsNullOrWhiteSpace(column))
            {
                continue;
            }

            if (column == label)
            {
                problems.Add(new(path, $"{SpecText.Quote(column)} is the label column; the label cannot also be a feature"));
            }
            else if (ignoreSet.Contains(column))
            {
                problems.Add(new(path, $"{SpecText.Quote(column)} is also in dataset.ignore; a column cannot be both a feature and ignored"));
            }
        }

        CheckRole(categorical, "dataset.categorical", "categorical", label, featureSet, ignoreSet, textSet, "dataset.text", "text", problems);
        CheckRole(text, "dataset.text", "text", label, featureSet, ignoreSet, categoricalSet, "dataset.categorical", "categorical", problems);
        for (var i = 0; i < ignore.Count; i++)
        {
            if (label is not null && ignore[i] == label)
            {
                problems.Add(new($"dataset.ignore[{i}]", $"{SpecText.Quote(label)} is the label column; it cannot be ignored"));
            }
        }

        var isParquet = pathValid && dataset.Format == DatasetFormat.Parquet;
        if (isParquet && dataset.Separator != DatasetSpec.DefaultSeparator)
        {
            problems.Add(new("dataset.separator", "only applies to CSV files, and dataset.path is a Parquet file"));
        }
        else if (dataset.Separator is '"' or '\r' or '\n' or '\0')
        {
            problems.Add(new("dataset.separator", "cannot be a double quote, a line break or NUL"));
        }

        if (isParquet && !dataset.HasHeader)
        {
            problems.Add(new("dataset.has_header", "only applies to CSV files, and dataset.path is a Parquet file; Parquet columns are always named"));
        }

        if (dataset.FoldsFile is { } folds)
        {
            if (CheckLocation(folds, "dataset.folds_file", problems) && DatasetSpec.FormatOf(folds) != DatasetFormat.Csv)
            {
                problems.Add(new("dataset.folds_file", "must be a CSV file of row,fold pairs"));
            }

            if (validation.Method == ValidationMethod.Holdout)
            {
                problems.Add(new("dataset.folds_file", "fixes the split of k-fold cross-validation, but validation.method is holdout"));
            }
        }
    }

    /// <summary>Checks a local path or artifact URI and its file extension; true when it is usable.</summary>
    private static bool CheckLocation(string? location, string path, List<TrainingSpecProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            problems.Add(new(path, "must not be empty"));
            return false;
        }

        string file;
        if (location.StartsWith(ModelUri.RunsScheme + "/", StringComparison.Ordinal))
        {
            // Checked here rather than with ModelUri.Parse, whose message lists the models:/ forms a dataset cannot use.
            var rest = location[(ModelUri.RunsScheme.Length + 1)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            try
            {
                ExperimentTrackingService.ValidateRunId(slash < 0 ? rest : rest[..slash]);
                var artifact = ArtifactPath.Parse(slash < 0 ? "" : rest[(slash + 1)..]);
                if (artifact.IsRoot)
                {
                    problems.Add(new(path, $"{SpecText.Quote(location)} names a run but no file in it; use runs:/<run_id>/<path>"));
                    return false;
                }

                file = artifact.Value;
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                problems.Add(new(path, e.Message));
                return false;
            }
        }
        else if (location.StartsWith(ArtifactUri.Scheme, StringComparison.Ordinal))
        {
            try
            {
                var artifact = ArtifactUri.ToPath(location);
                if (artifact.IsRoot)
                {
                    problems.Add(new(path, $"{SpecText.Quote(location)} names no file; use mlflow-artifacts:/<path>"));
                    return false;
                }

                file = artifact.Value;
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                problems.Add(new(path, e.Message));
                return false;
            }
        }
        else if (UriScheme().Match(location) is { Success: true } scheme)
        {
            problems.Add(new(path, $"the scheme {SpecText.Quote(scheme.Value)} is not supported; use a local path, runs:/<run_id>/<path> or mlflow-artifacts:/<path>"));
            return false;
        }
        else if (location.Any(char.IsControl))
        {
            problems.Add(new(path, "contains control characters"));
            return false;
        }
        else
        {
            file = location;
        }

        var known = s_csvExtensions.Concat(s_parquetExtensions);
        if (!known.Any(extension => file.EndsWith(extension, StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add(new(path, $"{SpecText.Quote(location)} is neither a CSV ({SpecText.List(s_csvExtensions)}) nor a Parquet ({SpecText.List(s_parquetExtensions)}) file"));
            return false;
        }

        return true;
    }

    /// <summary>Reports empty and repeated names; returns the distinct names.</summary>
    private static HashSet<string> CheckColumnList(IReadOnlyList<string> columns, string path, List<TrainingSpecProblem> problems)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (string.IsNullOrWhiteSpace(column))
            {
                problems.Add(new($"{path}[{i}]", "must name a column"));
            }
            else if (seen.TryGetValue(column, out var first))
            {
                problems.Add(new($"{path}[{i}]", $"{SpecText.Quote(column)} is listed twice (also at {path}[{first}])"));
            }
            else
            {
                seen.Add(column, i);
            }
        }

        return [.. seen.Keys];
    }

    private static void CheckRole(
        IReadOnlyList<string> columns,
        string path,
        string role,
        string? label,
        HashSet<string>? features,
        HashSet<string> ignore,
        HashSet<string> otherRole,
        string otherPath,
        string other,
        List<TrainingSpecProblem> problems)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (string.IsNullOrWhiteSpace(column))
            {
                continue;
            }

            var at = $"{path}[{i}]";
            if (column == label)
            {
                problems.Add(new(at, $"{SpecText.Quote(column)} is the label column; only features can be {role}"));
            }
            else if (ignore.Contains(column))
            {
                problems.Add(new(at, $"{SpecText.Quote(column)} is also in dataset.ignore; a column cannot be both {role} and ignored"));
            }
            else if (otherRole.Contains(column))
            {
                // Reported once, from the categorical side, so one mistake is one problem.
                if (role == "categorical")
                {
                    problems.Add(new(at, $"{SpecText.Quote(column)} is also in {otherPath}; a column is either {role} or {other}"));
                }
            }
            else if (features is not null && !features.Contains(column))
            {
                problems.Add(new(at, $"{SpecText.Quote(column)} is not in dataset.features; list it there too or leave dataset.features out"));
            }
        }
    }

    private static void CheckTrainer(TrainerSpec trainer, TrainingTask? task, List<TrainingSpecProblem> problems)
    {
        if (!Enum.IsDefined(trainer.Name))
        {
            problems.Add(new("trainer.name", $"not a known trainer; use one of {SpecText.List(TrainingSpecNames.Trainers)}"));
            return;
        }

        var name = TrainingSpecNames.Of(trainer.Name);
        if (task is { } t && !TrainerCatalog.Supports(trainer.Name, t))
        {
            var supported = TrainerCatalog.SupportedTasks(trainer.Name).Select(TrainingSpecNames.Of);
            problems.Add(new("trainer.name", $"{name} does not support {TrainingSpecNames.Of(t)} tasks; it supports {SpecText.List(supported)}"));
        }

        foreach (var (key, value) in trainer.Hyperparameters ?? new Dictionary<string, HyperparameterValue>())
        {
            var path = "trainer.hyperparameters." + key;
            var definition = TrainerCatalog.FindHyperparameter(trainer.Name, key);
            if (definition is null)
            {
                var known = TrainerCatalog.Hyperparameters(trainer.Name).Select(h => h.Name);
                problems.Add(new(path, $"{name} has no hyperparameter {SpecText.Quote(key)}; the known ones are {SpecText.List(known)}"));
            }
            else if (value is null || !definition.Accepts(value))
            {
                problems.Add(new(path, $"expected {definition.Describe()}, got {(value is null ? "null" : SpecText.Show(value))}"));
            }
        }
    }

    private static void CheckValidation(ValidationSpec validation, List<TrainingSpecProblem> problems)
    {
        if (!Enum.IsDefined(validation.Method))
        {
            problems.Add(new("validation.method", $"not a known method; use one of {SpecText.List(TrainingSpecNames.ValidationMethods)}"));
        }

        if (!(validation.HoldoutFraction is > 0 and < 1))
        {
            problems.Add(new("validation.holdout_fraction", $"expected a number greater than 0 and less than 1, got {SpecText.Number(validation.HoldoutFraction)}"));
        }

        if (validation.Folds is < ValidationSpec.MinFolds or > ValidationSpec.MaxFolds)
        {
            problems.Add(new("validation.folds", $"expected an integer from {ValidationSpec.MinFolds} to {ValidationSpec.MaxFolds}, got {validation.Folds}"));
        }

        if (validation.Seed < 0)
        {
            problems.Add(new("validation.seed", $"expected an integer of at least 0, got {validation.Seed}"));
        }
    }

    private static void CheckMetrics(MetricsSpec? metrics, TrainingTask task, List<TrainingSpecProblem> problems)
    {
        var allowed = TrainingMetrics.For(task);
        if (string.IsNullOrWhiteSpace(metrics?.Optimize))
        {
            problems.Add(new("metrics.optimize", $"must name a metric; use one of {SpecText.List(allowed)}"));
        }
        else if (!allowed.Contains(metrics.Optimize, StringComparer.Ordinal))
        {
            problems.Add(new("metrics.optimize", $"{SpecText.Quote(metrics.Optimize)} is not a {TrainingSpecNames.Of(task)} metric; use one of {SpecText.List(allowed)}"));
        }
    }

    private static void CheckRegistration(RegistrationSpec register, List<TrainingSpecProblem> problems)
    {
        try
        {
            ModelManagementService.ValidateModelName(register.Model, "register.model");
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            problems.Add(new("register.model", e.Message));
        }

        if (register.Alias is not null)
        {
            try
            {
                ModelManagementService.ValidateAlias(register.Alias);
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                problems.Add(new("register.alias", e.Message));
            }
        }
    }
}
