using System.Globalization;
using System.Text.Json.Nodes;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Web.Components.Studies;

/// <summary>The study page's plots, in the shapes Optuna's dashboard made familiar.</summary>
public static class StudyFigures
{
    /// <summary>A trial's parameter as the objective saw it (the choice itself for categorical ones).</summary>
    public static string External(Study study, string name, double value) =>
        study.Space.TryGet(name, out var distribution)
            ? Convert.ToString(distribution.ToExternal(value), CultureInfo.InvariantCulture) ?? ""
            : Format.Number(value);

    /// <summary>Each complete trial's objective, and the best value so far as a step line.</summary>
    public static string History(Study study, IReadOnlyList<Trial> trials)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Values is { Count: > 0 }).OrderBy(t => t.Number).ToList();
        var maximize = study.Directions[0] == StudyDirection.Maximize;
        var best = new List<double>();
        foreach (var trial in complete)
        {
            var value = trial.Values![0];
            best.Add(best.Count == 0 ? value : maximize ? Math.Max(best[^1], value) : Math.Min(best[^1], value));
        }

        var numbers = Figures.Numbers(complete.Select(t => (double)t.Number));
        JsonArray data =
        [
            new JsonObject { ["type"] = "scatter", ["mode"] = "markers", ["name"] = "objective", ["x"] = numbers, ["y"] = Figures.Numbers(complete.Select(t => t.Values![0])) },
            new JsonObject { ["type"] = "scatter", ["mode"] = "lines", ["line"] = new JsonObject { ["shape"] = "hv" }, ["name"] = "best so far", ["x"] = numbers.DeepClone(), ["y"] = Figures.Numbers(best) },
        ];
        return Figures.Figure(data, Figures.Layout("Optimisation history", Figures.Axis("trial"), Figures.Axis("objective")));
    }

    /// <summary>One axis per parameter plus the objective; categorical axes are labelled with their choices.</summary>
    public static string ParallelCoordinates(Study study, IReadOnlyList<Trial> trials)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Values is { Count: > 0 }).ToList();
        var dimensions = new JsonArray();
        foreach (var parameter in study.Space.Parameters)
        {
            var values = complete.Select(t => t.Params.TryGetValue(parameter.Name, out var v) ? v : double.NaN);
            var dimension = new JsonObject { ["label"] = Figures.Text(parameter.Name), ["values"] = Figures.Numbers(values) };
            if (parameter is CategoricalDistribution categorical)
            {
                dimension["tickvals"] = Figures.Numbers(categorical.Choices.Select((_, i) => (double)i));
                dimension["ticktext"] = Figures.Strings(categorical.Choices.Select(c => Convert.ToString(c, CultureInfo.InvariantCulture) ?? ""));
            }

            dimensions.Add(dimension);
        }

        var objective = complete.Select(t => t.Values![0]).ToList();
        dimensions.Add(new JsonObject { ["label"] = "objective", ["values"] = Figures.Numbers(objective) });
        var trace = new JsonObject
        {
            ["type"] = "parcoords",
            ["line"] = new JsonObject { ["color"] = Figures.Numbers(objective), ["colorscale"] = "Viridis", ["showscale"] = true },
            ["dimensions"] = dimensions,
        };
        var layout = Figures.Layout("Parameters of complete trials");
        layout["margin"] = new JsonObject { ["l"] = 80, ["r"] = 80, ["t"] = 100, ["b"] = 30 };
        return Figures.Figure([trace], layout);
    }

    public static string Importances(IReadOnlyDictionary<string, double> importances)
    {
        var ordered = importances.OrderBy(p => p.Value).ToList();
        var trace = new JsonObject
        {
            ["type"] = "bar",
            ["orientation"] = "h",
            ["x"] = Figures.Numbers(ordered.Select(p => p.Value)),
            ["y"] = Figures.Strings(ordered.Select(p => p.Key)),
        };
        var layout = Figures.Layout("Parameter importances", Figures.Axis("share of explained variation"));
        layout["margin"] = new JsonObject { ["l"] = 120, ["r"] = 20, ["t"] = 40, ["b"] = 50 };
        return Figures.Figure([trace], layout);
    }

    /// <summary>The values each trial reported while running: pruned trials in red, the others in grey.</summary>
    public static string Intermediate(IReadOnlyList<Trial> trials)
    {
        var data = new JsonArray();
        foreach (var trial in trials.Where(t => t.Intermediate.Count > 0).OrderBy(t => t.Number))
        {
            var points = trial.Intermediate.OrderBy(p => p.Key).ToList();
            var pruned = trial.State == TrialState.Pruned;
            data.Add(new JsonObject
            {
                ["type"] = "scatter",
                ["mode"] = "lines+markers",
                ["name"] = $"trial {trial.Number}{(pruned ? " (pruned)" : "")}",
                ["x"] = Figures.Numbers(points.Select(p => (double)p.Key)),
                ["y"] = Figures.Numbers(points.Select(p => p.Value)),
                ["line"] = new JsonObject { ["color"] = pruned ? "#d32f2f" : "#9e9e9e", ["width"] = pruned ? 2 : 1 },
            });
        }

        return Figures.Figure(data, Figures.Layout("Intermediate values", Figures.Axis("step"), Figures.Axis("value")));
    }
}
