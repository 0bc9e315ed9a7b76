using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Optimization;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlops.Infrastructure.Training;

/// <summary>
/// Reads a tuning spec: a training spec whose hyperparameters may be ranges (<c>{low, high, log, step, type}</c>)
/// or choices (<c>{choices: [...]}</c>), plus a <c>tune:</c> section (trials, parallel, timeout, sampler, seed,
/// pruner, direction). Each trial's training spec is the same YAML with the ranges replaced by values, so it goes
/// through the training spec's own validation.
/// </summary>
public sealed class TuningSpecParser : ITuningSpecReader
{
    private static readonly string[] s_tuneKeys = ["trials", "parallel", "timeout", "sampler", "seed", "pruner", "direction"];
    private static readonly string[] s_rangeKeys = ["low", "high", "log", "step", "type", "choices"];
    private static readonly string[] s_minimizedMetrics = ["rmse", "mae", "mse", "log_loss", "loss"];

    public TuningSpec Parse(string text)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var (root, tune, space) = Split(text, lines);
        if (space.Count == 0)
        {
            throw MlopsException.Invalid("trainer.hyperparameters: a tuning spec needs at least one range ({low: .., high: ..}) or choice list ({choices: [..]}).");
        }

        var searchSpace = new SearchSpace(space);
        Domain.Training.TrainingSpec? template = null;
        foreach (var (values, note) in Probes(searchSpace))
        {
            try
            {
                var parsed = TrainingSpecParser.Parse(Fill(root, values, null));
                template ??= parsed;
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
            {
                throw MlopsException.Invalid($"{WithSpecLines(e.Message, lines)}{note}");
            }
        }

        var options = ReadTune(tune);
        var direction = tune?.Children.TryGetValue(new YamlScalarNode("direction"), out var d) == true
            ? Direction(d)
            : s_minimizedMetrics.Contains(template!.Metrics.Optimize) ? StudyDirection.Minimize : StudyDirection.Maximize;
        var name = template!.Name ?? $"{template.Experiment}-tuning";
        return new TuningSpec(name, template, searchSpace, direction, options);
    }

    private static StudyDirection Direction(YamlNode node)
    {
        var text = Scalar(node, "tune.direction");
        return text.Trim().ToLowerInvariant() switch
        {
            "minimize" or "min" => StudyDirection.Minimize,
            "maximize" or "max" => StudyDirection.Maximize,
            _ => throw MlopsException.Invalid($"tune.direction: expected minimize or maximize, got \"{text}\" (line {node.Start.Line})."),
        };
    }

    /// <summary>
    /// The points a template is checked at before any trial runs: every range at its low end and its high end, and a
    /// value inside each range with each choice in turn. The inside value is deliberately not whole, so a float range
    /// on an integer hyperparameter is caught here rather than by every trial that draws it.
    /// </summary>
    private static IEnumerable<(Dictionary<string, object> Values, string Note)> Probes(SearchSpace space)
    {
        Dictionary<string, object> Point(Func<ParameterDistribution, object> pick) => space.Parameters.ToDictionary(p => p.Name, pick, StringComparer.Ordinal);

        yield return (Point(p => p switch
        {
            FloatDistribution f => f.Low,
            IntDistribution i => i.Low,
            _ => ((CategoricalDistribution)p).Choices[0],
        }), " (checked with every range at its low end and the first choice)");
        var choices = space.Parameters.OfType<CategoricalDistribution>().Select(c => c.Choices.Count).DefaultIfEmpty(1).Max();
        for (var k = 0; k < choices; k++)
        {
            var index = k;
            yield return (Point(p => p switch
            {
                FloatDistribution f => f.Snap(f.Log ? Math.Exp(Math.Log(f.Low) + (0.377 * (Math.Log(f.High) - Math.Log(f.Low)))) : f.Low + (0.377 * (f.High - f.Low))),
                IntDistribution i => (long)i.Snap(i.Low + ((i.High - i.Low) / 2.0)),
                _ => ((CategoricalDistribution)p).Choices[index % ((CategoricalDistribution)p).Choices.Count],
            }), $" (checked with a value inside every range and choice {index + 1} of each choice list)");
        }

        yield return (Point(p => p switch
        {
            FloatDistribution f => f.Snap(f.High),
            IntDistribution i => (long)i.Snap(i.High),
            _ => ((CategoricalDistribution)p).Choices[^1],
        }), " (checked with every range at its high end and the last choice)");
    }

    /// <summary>
    /// The training parser saw regenerated YAML, whose lines are not the user's: an error about a range gets the
    /// range's own line, and other line numbers are dropped rather than pointing at the wrong line.
    /// </summary>
    private static string WithSpecLines(string message, IReadOnlyDictionary<string, int> rangeLines)
    {
        var range = rangeLines.FirstOrDefault(r => message.StartsWith($"trainer.hyperparameters.{r.Key}:", StringComparison.Ordinal));
        return System.Text.RegularExpressions.Regex.Replace(message, @" ?\(line \d+\)", range.Key is null ? "" : $" (line {range.Value})");
    }

    public string TrialSpec(string text, IReadOnlyDictionary<string, object> values, string runName)
    {
        var (root, _, _) = Split(text);
        return Fill(root, values, runName);
    }

    /// <summary>The root without its tune section and ranges (both returned separately).</summary>
    private static (YamlMappingNode Root, YamlMappingNode? Tune, List<ParameterDistribution> Space) Split(string text) => Split(text, new Dictionary<string, int>());

    private static (YamlMappingNode Root, YamlMappingNode? Tune, List<ParameterDistribution> Space) Split(string text, Dictionary<string, int> rangeLines)
    {
        if (TrainingSpecParser.Load(text) is not YamlMappingNode root)
        {
            throw MlopsException.Invalid("The tuning spec must be a mapping (name:, dataset:, trainer:, tune:, ...).");
        }

        YamlMappingNode? tune = null;
        if (root.Children.TryGetValue(new YamlScalarNode("tune"), out var tuneNode))
        {
            tune = tuneNode as YamlMappingNode ?? throw MlopsException.Invalid($"tune: expected a mapping (line {tuneNode.Start.Line}).");
            root.Children.Remove(new YamlScalarNode("tune"));
        }

        var space = new List<ParameterDistribution>();
        if (root.Children.TryGetValue(new YamlScalarNode("trainer"), out var trainer) && trainer is YamlMappingNode trainerMap
            && trainerMap.Children.TryGetValue(new YamlScalarNode("hyperparameters"), out var hyper) && hyper is YamlMappingNode hyperMap)
        {
            foreach (var entry in hyperMap.Children.ToList())
            {
                if (entry.Value is YamlMappingNode range)
                {
                    var name = ((YamlScalarNode)entry.Key).Value!;
                    space.Add(ReadRange(name, range));
                    rangeLines[name] = (int)entry.Key.Start.Line;
                    hyperMap.Children.Remove(entry.Key);
                }
            }
        }

        return (root, tune, space);
    }

    private static ParameterDistribution ReadRange(string name, YamlMappingNode range)
    {
        var path = $"trainer.hyperparameters.{name}";
        var line = range.Start.Line;
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in range.Children)
        {
            var field = (key as YamlScalarNode)?.Value ?? "";
            if (!s_rangeKeys.Contains(field))
            {
                throw MlopsException.Invalid($"{path}.{field}: unknown range field; use low, high, log, step, type, or choices (line {key.Start.Line}).");
            }

            fields[field] = value;
        }

        if (fields.TryGetValue("choices", out var choices))
        {
            if (fields.Count > 1 || choices is not YamlSequenceNode list)
            {
                throw MlopsException.Invalid($"{path}: a choice list is {{choices: [a, b, ...]}} with nothing else (line {line}).");
            }

            return new CategoricalDistribution(name, [.. list.Children.Select(c => Value(c, $"{path}.choices"))]);
        }

        if (!fields.TryGetValue("low", out var lowNode) || !fields.TryGetValue("high", out var highNode))
        {
            throw MlopsException.Invalid($"{path}: a range needs low and high (line {line}).");
        }

        var log = fields.TryGetValue("log", out var logNode) && Scalar(logNode, $"{path}.log") switch
        {
            "true" => true,
            "false" => false,
            var other => throw MlopsException.Invalid($"{path}.log: expected true or false, got \"{other}\" (line {logNode.Start.Line})."),
        };
        var low = Scalar(lowNode, $"{path}.low");
        var high = Scalar(highNode, $"{path}.high");
        var step = fields.TryGetValue("step", out var stepNode) ? Scalar(stepNode, $"{path}.step") : null;
        var type = fields.TryGetValue("type", out var typeNode) ? Scalar(typeNode, $"{path}.type") : IsInteger(low) && IsInteger(high) && (step is null || IsInteger(step)) ? "int" : "float";
        return type switch
        {
            "int" => new IntDistribution(name, Integer(low, $"{path}.low", lowNode), Integer(high, $"{path}.high", highNode), log, step is null ? 1 : Integer(step, $"{path}.step", stepNode!)),
            "float" => new FloatDistribution(name, Number(low, $"{path}.low", lowNode), Number(high, $"{path}.high", highNode), log, step is null ? null : Number(step, $"{path}.step", stepNode!)),
            _ => throw MlopsException.Invalid($"{path}.type: expected int or float, got \"{type}\" (line {typeNode!.Start.Line})."),
        };
    }

    private static TuneOptions ReadTune(YamlMappingNode? tune)
    {
        var options = new TuneOptions();
        if (tune is null)
        {
            return options;
        }

        foreach (var (key, value) in tune.Children)
        {
            var field = (key as YamlScalarNode)?.Value ?? "";
            var path = "tune." + field;
            var text = Scalar(value, path);
            options = field switch
            {
                "trials" => options with { Trials = Count(text, path, value) },
                "parallel" => options with { Parallel = Count(text, path, value) },
                "timeout" => options with { Timeout = Duration(text, path, value) },
                "sampler" => options with { Sampler = text },
                "seed" => options with { Seed = Integer(text, path, value) },
                "pruner" => options with { Pruner = text },
                "direction" => options,
                _ => throw MlopsException.Invalid($"{path}: unknown field; use {string.Join(", ", s_tuneKeys)} (line {key.Start.Line})."),
            };
        }

        return options;
    }

    /// <summary>"90", "90s", "15m", "2h": a whole number of seconds, minutes or hours.</summary>
    public static TimeSpan Duration(string text, string path, YamlNode? node = null)
    {
        var unit = text.Length > 0 && char.IsLetter(text[^1]) ? text[^1] : 's';
        var digits = char.IsLetter(text.Length > 0 ? text[^1] : '0') ? text[..^1] : text;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 1_000_000 || unit is not ('s' or 'm' or 'h'))
        {
            throw MlopsException.Invalid($"{path}: expected a duration such as 90s, 15m or 2h, got \"{text}\"{(node is null ? "" : $" (line {node.Start.Line})")}.");
        }

        return unit switch { 'h' => TimeSpan.FromHours(amount), 'm' => TimeSpan.FromMinutes(amount), _ => TimeSpan.FromSeconds(amount) };
    }

    private static string Fill(YamlMappingNode root, IReadOnlyDictionary<string, object> values, string? runName)
    {
        var copy = (YamlMappingNode)Clone(root);
        if (runName is not null)
        {
            copy.Children[new YamlScalarNode("name")] = new YamlScalarNode(runName) { Style = ScalarStyle.DoubleQuoted };
            copy.Children.Remove(new YamlScalarNode("register"));
        }

        var trainer = (YamlMappingNode)copy.Children[new YamlScalarNode("trainer")];
        if (!trainer.Children.TryGetValue(new YamlScalarNode("hyperparameters"), out var hyper))
        {
            trainer.Children[new YamlScalarNode("hyperparameters")] = hyper = new YamlMappingNode();
        }

        var map = (YamlMappingNode)hyper;
        foreach (var (name, value) in values)
        {
            map.Children[new YamlScalarNode(name)] = value switch
            {
                string s => new YamlScalarNode(s) { Style = ScalarStyle.DoubleQuoted },
                bool b => new YamlScalarNode(b ? "true" : "false"),
                double d => new YamlScalarNode(d.ToString("R", CultureInfo.InvariantCulture).Contains('.', StringComparison.Ordinal) || d.ToString("R", CultureInfo.InvariantCulture).Contains('E', StringComparison.Ordinal)
                    ? d.ToString("R", CultureInfo.InvariantCulture)
                    : d.ToString("R", CultureInfo.InvariantCulture) + ".0"),
                IFormattable f => new YamlScalarNode(f.ToString(null, CultureInfo.InvariantCulture)),
                _ => new YamlScalarNode(value.ToString()),
            };
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(copy)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlNode Clone(YamlNode node) => node switch
    {
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(c => new KeyValuePair<YamlNode, YamlNode>(Clone(c.Key), Clone(c.Value)))) { Style = m.Style },
        YamlSequenceNode s => new YamlSequenceNode(s.Children.Select(Clone)) { Style = s.Style },
        YamlScalarNode v => new YamlScalarNode(v.Value) { Style = v.Style },
        _ => node,
    };

    private static string Scalar(YamlNode node, string path) =>
        node is YamlScalarNode { Value: { } value } ? value : throw MlopsException.Invalid($"{path}: expected a single value (line {node.Start.Line}).");

    private static object Value(YamlNode node, string path)
    {
        var scalar = node as YamlScalarNode ?? throw MlopsException.Invalid($"{path}: expected a single value (line {node.Start.Line}).");
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted)
        {
            return text;
        }

        return text switch
        {
            "true" => true,
            "false" => false,
            _ when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => text,
        };
    }

    private static int Count(string text, string path, YamlNode node)
    {
        var value = Integer(text, path, node);
        return value is >= 1 and <= TuneOptions.MaxTrials
            ? (int)value
            : throw MlopsException.Invalid($"{path}: expected a whole number from 1 to {TuneOptions.MaxTrials}, got {text} (line {node.Start.Line}).");
    }

    private static bool IsInteger(string text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    private static long Integer(string text, string path, YamlNode node) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw MlopsException.Invalid($"{path}: expected an integer, got \"{text}\" (line {node.Start.Line}).");

    private static double Number(string text, string path, YamlNode node) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value
        : throw MlopsException.Invalid($"{path}: expected a number, got \"{text}\" (line {node.Start.Line}).");
}
