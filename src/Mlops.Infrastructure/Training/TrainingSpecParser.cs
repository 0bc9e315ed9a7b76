using System.Collections.ObjectModel;
using Mlops.Domain.Common;
using Mlops.Domain.Training;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mlops.Infrastructure.Training;

/// <summary>
/// Reads a training spec from YAML, or JSON (which YAML reads as well). The text is loaded into YamlDotNet's
/// representation model and picked apart by hand, so no type named by the file is ever instantiated. Every error is
/// an InvalidArgument that starts with the field path and ends with the line, e.g.
/// <c>trainer.hyperparameters.learning_rate: expected a number greater than 0, got "fast" (line 9)</c>.
/// </summary>
public static class TrainingSpecParser
{
    /// <summary>Far above any real spec (a few hundred bytes); stops a hostile file before the YAML parser sees it.</summary>
    public const int MaxLength = 1024 * 1024;

    // A spec is at most three levels deep; the limit also keeps the representation model's recursive loader safe.
    private const int MaxDepth = 8;

    private static readonly string[] s_topKeys = ["name", "experiment", "tags", "dataset", "task", "trainer", "validation", "metrics", "register"];
    private static readonly string[] s_datasetKeys = ["path", "label", "features", "categorical", "text", "ignore", "separator", "has_header", "folds_file"];
    private static readonly string[] s_trainerKeys = ["name", "hyperparameters"];
    private static readonly string[] s_validationKeys = ["method", "holdout_fraction", "folds", "seed"];
    private static readonly string[] s_metricsKeys = ["optimize"];
    private static readonly string[] s_registerKeys = ["model", "alias"];

    public static TrainingSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var locations = new SpecLocations();
        var root = YamlSpecMap.Open(Load(text), "", locations, s_topKeys);

        var taskName = root.RequiredString("task");
        if (!TrainingSpecNames.TryParseTask(taskName, out var task))
        {
            throw root.Error("task", $"unknown task \"{taskName}\"; use one of {string.Join(", ", TrainingSpecNames.Tasks)}");
        }

        var validation = ReadValidation(root.Map("validation", s_validationKeys));
        var metrics = root.Map("metrics", s_metricsKeys);
        var spec = new TrainingSpec
        {
            Name = root.String("name"),
            Experiment = root.String("experiment") ?? TrainingSpec.DefaultExperiment,
            Tags = root.StringMap("tags") ?? ReadOnlyDictionary<string, string>.Empty,
            Dataset = ReadDataset(root.RequiredMap("dataset", s_datasetKeys)),
            Task = task,
            Trainer = ReadTrainer(root.RequiredMap("trainer", s_trainerKeys)),
            Validation = validation,
            Metrics = metrics?.String("optimize") is { } optimize ? new MetricsSpec { Optimize = optimize } : MetricsSpec.DefaultFor(task),
            Register = root.Map("register", s_registerKeys) is { } register
                ? new RegistrationSpec { Model = register.RequiredString("model"), Alias = register.String("alias") }
                : null,
        };

        var problems = TrainingSpecRules.Check(spec);
        return problems.Count == 0 ? spec : throw TrainingSpecRules.Failure(problems.Select(p => locations.Format(p.Path, p.Message)));
    }

    /// <summary>Reads and parses a spec file; errors are prefixed with the file's path.</summary>
    public static TrainingSpec ParseFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw MlopsException.Invalid("The training spec path is empty.");
        }

        if (Directory.Exists(path))
        {
            throw MlopsException.Invalid($"Training spec '{path}' is a directory, not a file.");
        }

        string text;
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw MlopsException.Invalid($"Training spec file '{path}' not found.");
            }

            // Checked before reading so a huge file is never loaded; MaxLength counts characters, so allow for UTF-8.
            if (file.Length > MaxLength * 4L)
            {
                throw MlopsException.Invalid($"Training spec file '{path}' is {file.Length} bytes; the limit is {MaxLength} characters.");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MlopsException.Invalid($"Training spec file '{path}' cannot be read: {e.Message}");
        }

        try
        {
            return Parse(text);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            throw MlopsException.Invalid($"{path}: {e.Message}");
        }
    }

    private static DatasetSpec ReadDataset(YamlSpecMap map) => new()
    {
        Path = map.RequiredString("path"),
        Label = map.RequiredString("label"),
        Features = map.StringList("features"),
        Categorical = map.StringList("categorical") ?? [],
        Text = map.StringList("text") ?? [],
        Ignore = map.StringList("ignore") ?? [],
        Separator = map.Character("separator") ?? DatasetSpec.DefaultSeparator,
        HasHeader = map.Boolean("has_header") ?? true,
        FoldsFile = map.String("folds_file"),
    };

    private static TrainerSpec ReadTrainer(YamlSpecMap map)
    {
        var name = map.RequiredString("name");
        if (!TrainingSpecNames.TryParseTrainer(name, out var kind))
        {
            throw map.Error("name", $"unknown trainer \"{name}\"; use one of {string.Join(", ", TrainingSpecNames.Trainers)}");
        }

        return new TrainerSpec
        {
            Name = kind,
            Hyperparameters = map.ValueMap("hyperparameters") ?? ReadOnlyDictionary<string, HyperparameterValue>.Empty,
        };
    }

    private static ValidationSpec ReadValidation(YamlSpecMap? map)
    {
        if (map is null)
        {
            return new ValidationSpec();
        }

        var method = ValidationMethod.KFold;
        if (map.String("method") is { } name && !TrainingSpecNames.TryParseValidationMethod(name, out method))
        {
            throw map.Error("method", $"unknown method \"{name}\"; use one of {string.Join(", ", TrainingSpecNames.ValidationMethods)}");
        }

        // A setting the chosen method ignores is almost always a mistake (a method left out or mistyped), so say so.
        if (method == ValidationMethod.KFold && map.Has("holdout_fraction"))
        {
            throw map.Error("holdout_fraction", "only applies when validation.method is holdout (the method is kfold, the default)");
        }

        if (method == ValidationMethod.Holdout && map.Has("folds"))
        {
            throw map.Error("folds", "only applies when validation.method is kfold");
        }

        return new ValidationSpec
        {
            Method = method,
            HoldoutFraction = map.Number("holdout_fraction") ?? ValidationSpec.DefaultHoldoutFraction,
            Folds = map.Integer("folds") ?? ValidationSpec.DefaultFolds,
            Seed = map.Integer("seed") ?? ValidationSpec.DefaultSeed,
        };
    }

    internal static YamlNode Load(string text)
    {
        if (text.Length > MaxLength)
        {
            throw Invalid($"the text is {text.Length} characters long; the limit is {MaxLength}");
        }

        try
        {
            CheckDepth(text);
            var stream = new YamlStream();
            stream.Load(new Parser(new StringReader(text)));
            return stream.Documents.Count switch
            {
                0 => throw Invalid("the document is empty"),
                1 => stream.Documents[0].RootNode,
                _ => throw Invalid($"expected one YAML document, found {stream.Documents.Count} (the second starts at line {stream.Documents[1].RootNode.Start.Line})"),
            };
        }
        catch (YamlException e)
        {
            throw Invalid($"malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
    }

    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var lastGood = Mark.Empty;
        while (MoveNext(parser, lastGood))
        {
            lastGood = parser.Current!.End;
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw Invalid($"nesting deeper than {MaxDepth} levels at line {parser.Current.Start.Line}");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    // Some malformed input (an unclosed flow sequence, say) makes YamlDotNet's scanner throw without a position, so
    // the error points after the last event that was read.
    private static bool MoveNext(Parser parser, Mark lastGood)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw Invalid($"malformed YAML after line {lastGood.Line}, column {lastGood.Column} (an unclosed bracket or quote?)");
        }
    }

    private static MlopsException Invalid(string message) => MlopsException.Invalid(SpecLocations.RootName + ": " + message);
}
