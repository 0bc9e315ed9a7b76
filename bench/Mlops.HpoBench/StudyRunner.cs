using System.Diagnostics;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.HpoBench.Problems;

namespace Mlops.HpoBench;

/// <summary>What one (problem, sampler, seed) study produced.</summary>
/// <param name="BestSoFar">Best objective value among the first t + 1 trials, per trial t.</param>
/// <param name="OverheadMs">Sampler time (ask + tell) per trial, in milliseconds.</param>
/// <param name="ObjectiveMs">Objective time per trial, in milliseconds.</param>
/// <param name="OverheadCpuMs">Sampler CPU time (ask + tell) per trial, in milliseconds (NaN where not measurable).</param>
internal sealed record StudyResult(
    string Problem,
    string Sampler,
    int Seed,
    double[] BestSoFar,
    double[] OverheadMs,
    double[] ObjectiveMs,
    double[] OverheadCpuMs,
    IReadOnlyDictionary<string, object> BestParams);

/// <summary>Runs a sequential study the way a single worker would: ask, evaluate, tell, one trial at a time.</summary>
internal static class StudyRunner
{
    public static StudyResult Run(BenchmarkProblem problem, string samplerName, ISampler sampler, int seed)
    {
        var trials = new List<TrialSnapshot>(problem.Trials);
        var directions = new[] { problem.Direction };
        var best = new double[problem.Trials];
        var overhead = new double[problem.Trials];
        var objectiveTime = new double[problem.Trials];
        var cpu = new double[problem.Trials];
        var bestValue = double.NaN;
        IReadOnlyDictionary<string, object> bestParams = new Dictionary<string, object>();
        var empty = new Dictionary<int, double>();
        for (var t = 0; t < problem.Trials; t++)
        {
            var cpuStart = ThreadClock.Milliseconds();
            var start = Stopwatch.GetTimestamp();
            var internalValues = sampler.Sample(new SamplingContext(problem.Space, directions, trials, t));
            var external = problem.Space.ToExternal(internalValues);
            var asked = Stopwatch.GetTimestamp();
            var cpuAsked = ThreadClock.Milliseconds();
            var value = problem.Objective(external);
            var cpuEvaluated = ThreadClock.Milliseconds();
            var evaluated = Stopwatch.GetTimestamp();
            trials.Add(new TrialSnapshot(t, TrialState.Complete, internalValues, [value], empty));
            var told = Stopwatch.GetTimestamp();
            cpu[t] = cpuAsked - cpuStart + (ThreadClock.Milliseconds() - cpuEvaluated);
            overhead[t] = Stopwatch.GetElapsedTime(start, asked).TotalMilliseconds + Stopwatch.GetElapsedTime(evaluated, told).TotalMilliseconds;
            objectiveTime[t] = Stopwatch.GetElapsedTime(asked, evaluated).TotalMilliseconds;
            if (double.IsNaN(bestValue) || (problem.Direction == StudyDirection.Minimize ? value < bestValue : value > bestValue))
            {
                bestValue = value;
                bestParams = external;
            }

            best[t] = bestValue;
        }

        return new StudyResult(problem.Name, samplerName, seed, best, overhead, objectiveTime, cpu, bestParams);
    }
}
