using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>
/// A search space as JSON: an array of <c>{"name", "type": "float"|"int"|"categorical", "low", "high", "log",
/// "step", "choices", "condition": {"parent", "values"}}</c> — the shape of the benchmark suite's problem files, used
/// by the REST API, the CLI and the store. Errors name the parameter and the field.
/// </summary>
public static class SearchSpaceJson
{
    public static SearchSpace Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid("space: must be an array of parameters.");
        }

        var parameters = new List<ParameterDistribution>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            parameters.Add(ParseParameter(item, index++));
        }

        return new SearchSpace(parameters);
    }

    public static SearchSpace Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"space: not valid JSON: {e.Message}");
        }
    }

    public static JsonArray ToJson(SearchSpace space) => [.. space.Parameters.Select(ToJson)];

    public static string Serialize(SearchSpace space) => ToJson(space).ToJsonString();

    public static JsonNode? ValueToJson(object value) => value switch
    {
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => Number(d),
        float f => Number(f),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A whole double keeps its ".0" so it reads back as a double, not as an integer choice.</summary>
    private static JsonNode? Number(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? JsonNode.Parse(value.ToString("0.0", CultureInfo.InvariantCulture))
            : JsonValue.Create(value);

    /// <summary>A JSON scalar as the value a parameter expects: long for whole numbers, double, bool or string.</summary>
    public static object ValueFromJson(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when element.TryGetInt64(out var l) => l,
        JsonValueKind.Number => element.GetDouble(),
        _ => throw MlopsException.Invalid($"{where}: must be a string, number or boolean."),
    };

    private static JsonObject ToJson(ParameterDistribution parameter)
    {
        var node = new JsonObject { ["name"] = parameter.Name };
        switch (parameter)
        {
            case FloatDistribution f:
                node["type"] = "float";
                node["low"] = f.Low;
                node["high"] = f.High;
                node["log"] = f.Log;
                if (f.Step is { } step)
                {
                    node["step"] = step;
                }

                break;
            case IntDistribution i:
                node["type"] = "int";
                node["low"] = i.Low;
                node["high"] = i.High;
                node["log"] = i.Log;
                node["step"] = i.Step;
                break;
            case CategoricalDistribution c:
                node["type"] = "categorical";
                node["choices"] = new JsonArray([.. c.Choices.Select(ValueToJson)]);
                break;
        }

        if (parameter.Condition is { } condition)
        {
            node["condition"] = new JsonObject { ["parent"] = condition.Parent, ["values"] = new JsonArray([.. condition.Values.Select(ValueToJson)]) };
        }

        return node;
    }

    private static ParameterDistribution ParseParameter(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid($"space[{index}]: must be an object.");
        }

        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw MlopsException.Invalid($"space[{index}].name: required text.");
        var where = $"space[{index}] ('{name}')";
        var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw MlopsException.Invalid($"{where}.type: required: float, int or categorical.");
        var log = item.TryGetProperty("log", out var l) && l.ValueKind != JsonValueKind.Null && (l.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? l.GetBoolean()
            : throw MlopsException.Invalid($"{where}.log: must be true or false."));
        ParameterDistribution parameter = type switch
        {
            "float" => new FloatDistribution(name, Number(item, "low", where), Number(item, "high", where), log, item.TryGetProperty("step", out var s) && s.ValueKind != JsonValueKind.Null ? Number(item, "step", where) : null),
            "int" => new IntDistribution(name, Integer(item, "low", where), Integer(item, "high", where), log, item.TryGetProperty("step", out var s) && s.ValueKind != JsonValueKind.Null ? Integer(item, "step", where) : 1),
            "categorical" => new CategoricalDistribution(name, Choices(item, "choices", where)),
            _ => throw MlopsException.Invalid($"{where}.type: '{type}' is not float, int or categorical."),
        };
        if (item.TryGetProperty("condition", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            var parent = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("parent", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!
                : throw MlopsException.Invalid($"{where}.condition.parent: required text.");
            parameter = parameter with { Condition = new ParameterCondition(parent, Choices(c, "values", where + ".condition")) };
        }

        return parameter;
    }

    private static double Number(JsonElement item, string field, string where) =>
        item.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw MlopsException.Invalid($"{where}.{field}: required number.");

    private static long Integer(JsonElement item, string field, string where) =>
        item.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i
        : item.TryGetProperty(field, out v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d
        : throw MlopsException.Invalid($"{where}.{field}: required integer.");

    private static List<object> Choices(JsonElement item, string field, string where)
    {
        if (!item.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid($"{where}.{field}: required array.");
        }

        return [.. v.EnumerateArray().Select((e, i) => ValueFromJson(e, $"{where}.{field}[{i.ToString(CultureInfo.InvariantCulture)}]"))];
    }
}
