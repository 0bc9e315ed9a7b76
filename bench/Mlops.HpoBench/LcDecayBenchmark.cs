using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using Mlops.Domain.Optimization.Samplers;
using Mlops.HpoBench.Problems;

namespace Mlops.HpoBench;

/// <summary>One lc_decay study: what it cost in epochs and what it found.</summary>
internal sealed record PruningResult(string Sampler, string Pruner, int Seed, int Epochs, int Pruned, double BestValue, double BestTrueValue, double OverheadMs, IReadOnlyDictionary<string, object> BestParams);

/// <summary>
/// The lc_decay pruning benchmark (problems.json): 100 trials × 20 epochs of a synthetic learning curve, the value
/// reported after every epoch and the pruner asked each time; a pruned trial stops there. Noise is drawn up front per
/// (seed, trial) from <see cref="TrialRandom"/>, so every pruner sees the same curves for the same parameters.
/// </summary>
internal static class LcDecayBenchmark
{
    public const string Name = "lc_decay";
    private const int NoisePurpose = 0x1CDECA;
    private const int Epochs = 20;
    private const double NoiseScale = 0.02;

    public static IReadOnlyList<string> Pruners { get; } = ["none", "median", "successive_halving", "hyperband"];

    /// <summary>The pruners the suite measured, with Optuna's settings (problems.json "pruners_measured").</summary>
    public static IPruner Create(string pruner) => pruner switch
    {
        "none" => new NopPruner(),
        "median" => new MedianPruner(5, 0, 1),
        "successive_halving" => new SuccessiveHalvingPruner(1, 4, 0),
        "hyperband" => new HyperbandPruner(1, 20, 3),
        _ => throw new ArgumentException($"unknown pruner '{pruner}'", nameof(pruner)),
    };

    public static PruningResult Run(JsonElement problem, string samplerName, string prunerName, int seed)
    {
        var space = ProblemCatalog.Space(problem);
        var trialCount = problem.GetProperty("budget").GetProperty("trials")[0].GetInt32();
        var sampler = SamplerMap.Create(samplerName, seed, space);
        var pruner = Create(prunerName);
        var trials = new List<TrialSnapshot>(trialCount);
        var overhead = 0.0;
        var epochs = 0;
        var pruned = 0;
        var bestValue = double.PositiveInfinity;
        var bestTrue = double.NaN;
        IReadOnlyDictionary<string, object> bestParams = new Dictionary<string, object>();
        for (var t = 0; t < trialCount; t++)
        {
            var start = Stopwatch.GetTimestamp();
            var values = sampler.Sample(new SamplingContext(space, [StudyDirection.Minimize], trials, t));
            var external = space.ToExternal(values);
            overhead += Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            var (a, k) = Curve(external);
            var noise = TrialRandom.For(seed, t, NoisePurpose);
            var epsilons = Enumerable.Range(0, Epochs).Select(_ => NoiseScale * Gaussian(noise)).ToArray();
            var intermediate = new Dictionary<int, double>();
            trials.Add(new TrialSnapshot(t, TrialState.Running, values, null, intermediate));
            var state = TrialState.Complete;
            var last = double.NaN;
            for (var step = 1; step <= Epochs; step++)
            {
                last = a + ((2 - a) * Math.Exp(-k * step)) + epsilons[step - 1];
                intermediate[step] = last;
                epochs++;
                start = Stopwatch.GetTimestamp();
                var prune = pruner.ShouldPrune(new PruningContext(trials[t], trials, StudyDirection.Minimize, step));
                overhead += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (prune)
                {
                    state = TrialState.Pruned;
                    break;
                }
            }

            trials[t] = new TrialSnapshot(t, state, values, state == TrialState.Complete ? [last] : null, intermediate);
            if (state == TrialState.Pruned)
            {
                pruned++;
            }
            else if (last < bestValue)
            {
                bestValue = last;
                bestTrue = a + ((2 - a) * Math.Exp(-k * Epochs));
                bestParams = external;
            }
        }

        return new PruningResult(samplerName, prunerName, seed, epochs, pruned, bestValue, bestTrue, overhead / trialCount, bestParams);
    }

    /// <summary>The curve's asymptote A and rate k (problems.json formula).</summary>
    private static (double A, double K) Curve(IReadOnlyDictionary<string, object> p)
    {
        var lr = Math.Log10(Convert.ToDouble(p["lr"], CultureInfo.InvariantCulture));
        var depth = Convert.ToDouble(p["depth"], CultureInfo.InvariantCulture);
        var dropout = Convert.ToDouble(p["dropout"], CultureInfo.InvariantCulture);
        var a = 0.1 + (0.15 * (lr + 2) * (lr + 2)) + (0.02 * (depth - 6) * (depth - 6)) + (0.5 * (dropout - 0.3) * (dropout - 0.3));
        var k = (0.05 + (0.125 * (lr + 4))) / (1 + (0.05 * depth));
        return (a, k);
    }

    private static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
