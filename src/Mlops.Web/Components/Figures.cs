using System.Text.Json.Nodes;

namespace Mlops.Web.Components;

/// <summary>Builds the JSON specs that charts.js draws; every user string goes through <see cref="Text"/>.</summary>
public static class Figures
{
    /// <summary>
    /// plotly.js reads a few HTML-like tags in labels (&lt;b&gt;, &lt;a href&gt;); writing &lt; &gt; &amp; as entities
    /// makes it show a run or param name exactly as typed instead of interpreting it.
    /// </summary>
    public static string Text(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public sealed record SeriesRef(string RunId, string Key, string Name);

    /// <summary>A chart of metric series fetched (downsampled) from /api/v1/runs/{run}/metrics/{key}/series.</summary>
    public static string Metric(string title, IEnumerable<SeriesRef> series) => new JsonObject
    {
        ["title"] = Text(title),
        ["series"] = new JsonArray(series.Select(s => (JsonNode)new JsonObject
        {
            ["run"] = s.RunId,
            ["key"] = s.Key,
            ["name"] = Text(s.Name),
        }).ToArray()),
    }.ToJsonString();

    public static string Figure(JsonArray data, JsonObject layout) => new JsonObject { ["data"] = data, ["layout"] = layout }.ToJsonString();

    public static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).Select(v => (JsonNode?)v).ToArray());

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(Text(v))).ToArray());

    public static JsonObject Axis(string title, bool log = false)
    {
        var axis = new JsonObject { ["title"] = new JsonObject { ["text"] = Text(title) } };
        if (log)
        {
            axis["type"] = "log";
        }

        return axis;
    }

    public static JsonObject Layout(string title, JsonObject? x = null, JsonObject? y = null) => new()
    {
        ["title"] = new JsonObject { ["text"] = Text(title) },
        ["xaxis"] = x ?? new JsonObject(),
        ["yaxis"] = y ?? new JsonObject(),
        ["margin"] = new JsonObject { ["l"] = 60, ["r"] = 20, ["t"] = 40, ["b"] = 50 },
    };
}
