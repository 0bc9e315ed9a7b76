using System.Globalization;
using System.Text.Json;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;

namespace Mlops.HpoBench.Problems;

/// <summary>One problem of the suite: its space, direction, budget and objective (external parameter values in, value out).</summary>
internal sealed record BenchmarkProblem(
    string Name,
    string Kind,
    StudyDirection Direction,
    SearchSpace Space,
    double? Optimum,
    int Trials,
    IReadOnlyList<int> Checkpoints,
    int Seeds,
    Func<IReadOnlyDictionary<string, object>, double> Objective)
{
    /// <summary>Regret for problems with a known optimum (minimise), the best value otherwise.</summary>
    public string Measure => Optimum is null ? "best" : "regret";

    public double Score(double best) => Optimum is { } optimum ? best - optimum : best;
}

/// <summary>Reads problems.json (the shared suite's definitions) and builds each problem's space and objective.</summary>
internal static class ProblemCatalog
{
    public static JsonElement LoadSuite(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    public static SearchSpace Space(JsonElement problem) => new(problem.GetProperty("space").EnumerateArray().Select(Parameter));

    /// <summary>The synthetic problems (closed-form objectives); null for a name this catalog does not implement.</summary>
    public static BenchmarkProblem? Synthetic(JsonElement problem)
    {
        var name = problem.GetProperty("name").GetString()!;
        Func<IReadOnlyDictionary<string, object>, double>? objective = name switch
        {
            "branin" => p => Branin(X(p, "x1"), X(p, "x2")),
            "hartmann6" => Hartmann6(problem.GetProperty("constants")),
            "rosenbrock5" => p => Rosenbrock(Enumerable.Range(1, 5).Select(i => X(p, "x" + i)).ToArray()),
            "mixed_cat_int_logfloat" => Mixed(problem.GetProperty("constants")),
            _ => null,
        };
        return objective is null ? null : Create(problem, objective);
    }

    public static BenchmarkProblem Create(JsonElement problem, Func<IReadOnlyDictionary<string, object>, double> objective)
    {
        var budget = problem.GetProperty("budget");
        var optimum = problem.TryGetProperty("optimum", out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty("value", out var v) && !o.TryGetProperty("of", out _)
            ? v.GetDouble()
            : (double?)null;
        var trials = budget.GetProperty("trials").EnumerateArray().Max(t => t.GetInt32());
        var checkpoints = budget.TryGetProperty("checkpoints", out var c) ? c.EnumerateArray().Select(x => x.GetInt32()).ToArray() : [trials];
        return new BenchmarkProblem(
            problem.GetProperty("name").GetString()!,
            problem.GetProperty("kind").GetString()!,
            problem.GetProperty("direction").GetString() == "maximize" ? StudyDirection.Maximize : StudyDirection.Minimize,
            Space(problem),
            optimum,
            trials,
            checkpoints,
            budget.GetProperty("seeds").GetInt32(),
            objective);
    }

    public static double Branin(double x1, double x2)
    {
        const double a = 1, r = 6, s = 10;
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        var q = x2 - (b * x1 * x1) + (c * x1) - r;
        return (a * q * q) + (s * (1 - t) * Math.Cos(x1)) + s;
    }

    public static double Rosenbrock(double[] x)
    {
        var sum = 0.0;
        for (var i = 0; i + 1 < x.Length; i++)
        {
            var a = x[i + 1] - (x[i] * x[i]);
            var b = x[i] - 1;
            sum += (100 * a * a) + (b * b);
        }

        return sum;
    }

    private static Func<IReadOnlyDictionary<string, object>, double> Hartmann6(JsonElement constants)
    {
        var alpha = constants.GetProperty("alpha").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var a = Matrix(constants.GetProperty("A"));
        var scale = constants.GetProperty("P_scale").GetDouble();
        var p = Matrix(constants.GetProperty("P_int")).Select(row => row.Select(x => x * scale).ToArray()).ToArray();
        return values =>
        {
            var x = Enumerable.Range(1, 6).Select(i => X(values, "x" + i)).ToArray();
            var sum = 0.0;
            for (var i = 0; i < 4; i++)
            {
                var inner = 0.0;
                for (var j = 0; j < 6; j++)
                {
                    inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
                }

                sum += alpha[i] * Math.Exp(-inner);
            }

            return -sum;
        };
    }

    private static Func<IReadOnlyDictionary<string, object>, double> Mixed(JsonElement constants)
    {
        Dictionary<string, double> Table(string name) => constants.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
        var bias = Table("bias");
        var t = Table("t");
        var m = Table("m");
        var s = Table("s");
        return values =>
        {
            var family = (string)values["family"];
            var n = Convert.ToDouble(values["n"], CultureInfo.InvariantCulture);
            var lr = X(values, "lr");
            var x = X(values, "x");
            var u = n - m[family];
            var a = Math.Log10(lr) - t[family] - (0.1 * u);
            var dx = x - s[family];
            return bias[family] + (a * a) + ((u / 4) * (u / 4)) + (dx * dx) + (0.5 * (1 - Math.Cos(2 * Math.PI * dx)));
        };
    }

    private static ParameterDistribution Parameter(JsonElement p)
    {
        var name = p.GetProperty("name").GetString()!;
        var log = p.TryGetProperty("log", out var l) && l.GetBoolean();
        return p.GetProperty("type").GetString() switch
        {
            "float" => new FloatDistribution(name, p.GetProperty("low").GetDouble(), p.GetProperty("high").GetDouble(), log),
            "int" => new IntDistribution(name, p.GetProperty("low").GetInt64(), p.GetProperty("high").GetInt64(), log, p.TryGetProperty("step", out var s) ? s.GetInt64() : 1),
            "categorical" => new CategoricalDistribution(name, p.GetProperty("choices").EnumerateArray().Select(Choice).ToArray()),
            var type => throw new InvalidOperationException($"unknown parameter type '{type}'"),
        };
    }

    private static object Choice(JsonElement choice) => choice.ValueKind switch
    {
        JsonValueKind.String => choice.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ when choice.TryGetInt64(out var i) => i,
        _ => choice.GetDouble(),
    };

    private static double[][] Matrix(JsonElement rows) => rows.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();

    private static double X(IReadOnlyDictionary<string, object> values, string name) => Convert.ToDouble(values[name], CultureInfo.InvariantCulture);
}
