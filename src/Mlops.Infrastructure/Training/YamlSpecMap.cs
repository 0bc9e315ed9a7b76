using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Domain.Common;
using Mlops.Domain.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlops.Infrastructure.Training;

/// <summary>
/// One mapping of a spec with its field path: checks its keys against the allowed ones and reads typed values.
/// Typing follows the YAML 1.2 core schema, which is also JSON's: a quoted scalar is always text, and a plain one is
/// null, a boolean, an integer, a number or text by its form. YAML 1.1's yes/no/on/off are text.
/// </summary>
internal sealed partial class YamlSpecMap
{
    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    // The core schema's scalar tags (!!str, !!int ...); anything else, such as !!python/object, names a type to build.
    private static readonly HashSet<string> s_coreScalarTags = new(
        new[] { "str", "int", "float", "bool", "null" }.Select(t => CoreTagPrefix + t),
        StringComparer.Ordinal);

    private readonly Dictionary<string, YamlNode> _values;
    private readonly SpecLocations _locations;

    private YamlSpecMap(string path, Dictionary<string, YamlNode> values, SpecLocations locations)
    {
        Path = path;
        _values = values;
        _locations = locations;
    }

    public string Path { get; }

    [GeneratedRegex(@"^[-+]?[0-9]+\z")]
    private static partial Regex IntegerForm();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex NumberForm();

    [GeneratedRegex(@"^[-+]?\.(inf|Inf|INF)\z|^\.(nan|NaN|NAN)\z")]
    private static partial Regex SpecialNumberForm();

    public static YamlSpecMap Open(YamlNode node, string path, SpecLocations locations, IReadOnlyList<string> allowedKeys)
    {
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value, keyNode) in Entries(node, path, locations))
        {
            if (!allowedKeys.Contains(key, StringComparer.Ordinal))
            {
                var where = path.Length == 0 ? "at the top level" : "in " + path;
                throw locations.Error(SpecLocations.Child(path, key), $"unknown key; the keys allowed {where} are {string.Join(", ", allowedKeys)}");
            }

            values.Add(key, value);
        }

        return new YamlSpecMap(path, values, locations);
    }

    /// <summary>Whether <paramref name="key"/> is present with a non-null value.</summary>
    public bool Has(string key) => _values.TryGetValue(key, out var node) && !IsNull(node);

    public MlopsException Error(string key, string message) => _locations.Error(PathOf(key), message);

    public string? String(string key) => Get(key) is { } node ? Text(node, PathOf(key)) : null;

    public string RequiredString(string key) => Text(Required(key), PathOf(key));

    public bool? Boolean(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        return ValueOf(node, PathOf(key)) is { } value && value.TryGetBoolean(out var flag)
            ? flag
            : throw Error(key, $"expected true or false, got {Describe(node)}");
    }

    public int? Integer(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        return ValueOf(node, PathOf(key)) is { } value && value.TryGetInt32(out var integer)
            ? integer
            : throw Error(key, $"expected an integer, got {Describe(node)}");
    }

    public double? Number(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        return ValueOf(node, PathOf(key)) is { } value && value.TryGetDouble(out var number)
            ? number
            : throw Error(key, $"expected a number, got {Describe(node)}");
    }

    public char? Character(string key)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (text.Length == 1)
        {
            return text[0];
        }

        var hint = text == "\\t" ? "; write \"\\t\" in double quotes for a tab" : "";
        throw Error(key, $"expected a single character, got {Quote(text)}{hint}");
    }

    public YamlSpecMap? Map(string key, IReadOnlyList<string> allowedKeys) =>
        Get(key) is { } node ? Open(node, PathOf(key), _locations, allowedKeys) : null;

    public YamlSpecMap RequiredMap(string key, IReadOnlyList<string> allowedKeys) =>
        Open(Required(key), PathOf(key), _locations, allowedKeys);

    /// <summary>A list of column names; each item's line is recorded under <c>path[i]</c>.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        var path = PathOf(key);
        if (node is not YamlSequenceNode sequence)
        {
            throw Error(key, $"expected a list of column names, got {Describe(node)}");
        }

        var items = new List<string>(sequence.Children.Count);
        foreach (var item in sequence.Children)
        {
            var itemPath = $"{path}[{items.Count}]";
            _locations.Record(itemPath, item.Start);
            if (IsNull(item))
            {
                throw _locations.Error(itemPath, "expected a column name, got null");
            }

            items.Add(Text(item, itemPath));
        }

        return items.AsReadOnly();
    }

    /// <summary>A mapping of free keys to text values, such as tags.</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entryKey, value, _) in Entries(node, PathOf(key), _locations))
        {
            var path = SpecLocations.Child(PathOf(key), entryKey);
            map.Add(entryKey, IsNull(value) ? throw _locations.Error(path, "expected text, got null") : Text(value, path));
        }

        return map.AsReadOnly();
    }

    /// <summary>A mapping of free keys to typed scalars, such as hyperparameters.</summary>
    public IReadOnlyDictionary<string, HyperparameterValue>? ValueMap(string key)
    {
        if (Get(key) is not { } node)
        {
            return null;
        }

        var map = new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal);
        foreach (var (entryKey, value, _) in Entries(node, PathOf(key), _locations))
        {
            var path = SpecLocations.Child(PathOf(key), entryKey);
            map.Add(entryKey, ValueOf(value, path) ?? throw _locations.Error(path, "expected a value, got null; leave the key out to keep ML.NET's default"));
        }

        return map.AsReadOnly();
    }

    private static IEnumerable<(string Key, YamlNode Value, YamlNode KeyNode)> Entries(YamlNode node, string path, SpecLocations locations)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw locations.Error(path, $"expected a mapping, got {Describe(node)}");
        }

        var entries = new List<(string, YamlNode, YamlNode)>(mapping.Children.Count);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key } || IsNull(keyNode))
            {
                throw locations.Error(path, $"keys must be plain names, got {Describe(keyNode)} at line {keyNode.Start.Line}");
            }

            locations.Record(SpecLocations.Child(path, key), keyNode.Start);
            entries.Add((key, value, keyNode));
        }

        return entries;
    }

    private YamlNode? Get(string key) => _values.TryGetValue(key, out var node) && !IsNull(node) ? node : null;

    // A missing key has no line of its own, so the error points at the mapping that should hold it.
    private YamlNode Required(string key) =>
        Get(key) ?? throw _locations.Error(PathOf(key), _values.ContainsKey(key) ? "a value is required" : "required field is missing");

    private string PathOf(string key) => SpecLocations.Child(Path, key);

    private string Text(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw _locations.Error(path, $"expected text, got {Describe(node)}");
        }

        CheckTag(scalar, path);
        return scalar.Value ?? "";
    }

    /// <summary>The typed value of a scalar, or null for YAML's null.</summary>
    private HyperparameterValue? ValueOf(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw _locations.Error(path, $"expected a single value, got {Describe(node)}");
        }

        CheckTag(scalar, path);
        return Classify(scalar);
    }

    private void CheckTag(YamlScalarNode scalar, string path)
    {
        var tag = scalar.Tag;
        if (tag.IsEmpty || tag.IsNonSpecific || s_coreScalarTags.Contains(tag.Value))
        {
            return;
        }

        // The representation model never instantiates a tagged type, but a custom tag means the author expected it to.
        throw _locations.Error(path, $"the YAML tag {tag.Value} is not supported");
    }

    private static HyperparameterValue? Classify(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag;
        var taggedText = !tag.IsEmpty && !tag.IsNonSpecific && tag.Value == CoreTagPrefix + "str";
        if (taggedText || scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return HyperparameterValue.FromText(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return HyperparameterValue.FromBoolean(true);
            case "false" or "False" or "FALSE":
                return HyperparameterValue.FromBoolean(false);
        }

        if (IntegerForm().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return HyperparameterValue.FromInteger(integer);
        }

        if ((IntegerForm().IsMatch(text) || NumberForm().IsMatch(text)) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return HyperparameterValue.FromNumber(number);
        }

        if (SpecialNumberForm().IsMatch(text))
        {
            return HyperparameterValue.FromNumber(text.Contains("nan", StringComparison.OrdinalIgnoreCase)
                ? double.NaN
                : text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity);
        }

        return HyperparameterValue.FromText(text);
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode scalar && Classify(scalar) is null;

    /// <summary>A node as shown after "got": text quoted, numbers and booleans bare, collections by kind.</summary>
    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode scalar => Classify(scalar) switch
        {
            null => "null",
            { Type: HyperparameterType.Text } value => Quote(value.ToString()),
            var value => scalar.Value ?? value.ToString(),
        },
        _ => "an alias",
    };

    private static string Quote(string text) => "\"" + (text.Length > 100 ? text[..100] + "..." : text) + "\"";
}
