using System.Globalization;
using System.Text.Json.Nodes;
using Mlops.Domain.Tracking;

namespace Mlops.Web.Components.Compare;

/// <summary>The compare view's plots of params against a metric, one value per run.</summary>
public static class CompareFigures
{
    /// <summary>A run's value for "p:key" or "m:key" (params as text, metrics as numbers).</summary>
    public static string? Value(Run run, string axis)
    {
        if (RunColumn.Parse(axis) is not { } column)
        {
            return null;
        }

        return column.Kind switch
        {
            'm' => run.LatestMetrics.Where(m => m.Key == column.Key).Select(m => (string?)m.Value.ToString("R", CultureInfo.InvariantCulture)).FirstOrDefault(),
            'p' => run.Params.Where(p => p.Key == column.Key).Select(p => (string?)p.Value).FirstOrDefault(),
            _ => null,
        };
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>
    /// One axis per param plus the metric, each line a run, coloured by the metric. Numeric params keep their scale;
    /// text params become evenly spaced categories.
    /// </summary>
    public static string ParallelCoordinates(IReadOnlyList<Run> runs, IReadOnlyList<string> paramKeys, string metricKey)
    {
        var dimensions = new JsonArray();
        foreach (var key in paramKeys)
        {
            var texts = runs.Select(r => r.Params.Where(p => p.Key == key).Select(p => p.Value).FirstOrDefault() ?? "").ToList();
            var numbers = texts.Select(Number).ToList();
            if (numbers.All(n => n is not null))
            {
                dimensions.Add(new JsonObject { ["label"] = Figures.Text(key), ["values"] = Figures.Numbers(numbers.Select(n => n!.Value)) });
            }
            else
            {
                var categories = texts.Distinct().Order(StringComparer.Ordinal).ToList();
                dimensions.Add(new JsonObject
                {
                    ["label"] = Figures.Text(key),
                    ["values"] = Figures.Numbers(texts.Select(t => (double)categories.IndexOf(t))),
                    ["tickvals"] = Figures.Numbers(categories.Select((_, i) => (double)i)),
                    ["ticktext"] = Figures.Strings(categories),
                });
            }
        }

        var metric = runs.Select(r => r.LatestMetrics.Where(m => m.Key == metricKey).Select(m => m.Value).DefaultIfEmpty(double.NaN).First()).ToList();
        dimensions.Add(new JsonObject { ["label"] = Figures.Text(metricKey), ["values"] = Figures.Numbers(metric) });
        var trace = new JsonObject
        {
            ["type"] = "parcoords",
            ["line"] = new JsonObject { ["color"] = Figures.Numbers(metric), ["colorscale"] = "Viridis", ["showscale"] = true },
            ["dimensions"] = dimensions,
        };
        var layout = Figures.Layout($"Params vs {metricKey}");
        layout["margin"] = new JsonObject { ["l"] = 80, ["r"] = 80, ["t"] = 100, ["b"] = 30 };
        return Figures.Figure([trace], layout);
    }

    /// <summary>One marker per run: x is a param or metric, y a metric; hovering names the run.</summary>
    public static string Scatter(IReadOnlyList<Run> runs, string xAxis, string yAxis)
    {
        var withBoth = runs.Where(r => Value(r, xAxis) is not null && Value(r, yAxis) is not null).ToList();
        var xs = withBoth.Select(r => Value(r, xAxis)!).ToList();
        var xNumeric = xs.All(x => Number(x) is not null);
        var trace = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "markers",
            ["marker"] = new JsonObject { ["size"] = 10 },
            ["x"] = xNumeric ? Figures.Numbers(xs.Select(x => Number(x)!.Value)) : Figures.Strings(xs),
            ["y"] = Figures.Numbers(withBoth.Select(r => Number(Value(r, yAxis)) ?? double.NaN)),
            ["text"] = Figures.Strings(withBoth.Select(Shared.MetricCharts.RunLabel)),
            ["hovertemplate"] = "%{text}<br>x=%{x}<br>y=%{y}<extra></extra>",
        };
        var xTitle = RunColumn.Parse(xAxis)?.Key ?? xAxis;
        var yTitle = RunColumn.Parse(yAxis)?.Key ?? yAxis;
        return Figures.Figure([trace], Figures.Layout($"{yTitle} vs {xTitle}", Figures.Axis(xTitle), Figures.Axis(yTitle)));
    }
}
