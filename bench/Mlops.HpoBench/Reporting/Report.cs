using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Domain.Optimization;
using Mlops.HpoBench.Problems;

namespace Mlops.HpoBench.Reporting;

/// <summary>Every seed of one sampler on one problem.</summary>
internal sealed record SamplerRuns(BenchmarkProblem Problem, string Sampler, string Description, IReadOnlyList<StudyResult> Results)
{
    public Summary At(int checkpoint) => Summary.Of(Results.Select(r => Problem.Score(r.BestSoFar[checkpoint - 1])));

    public Summary BestAt(int checkpoint) => Summary.Of(Results.Select(r => r.BestSoFar[checkpoint - 1]));

    public Summary OverheadRun => Summary.Of(Results.Select(r => r.OverheadMs.Average()));

    public Summary OverheadLast10 => Summary.Of(Results.Select(r => r.OverheadMs.TakeLast(10).Average()));

    public Summary CpuRun => Summary.Of(Results.Select(r => r.OverheadCpuMs.Average()));

    public Summary CpuLast10 => Summary.Of(Results.Select(r => r.OverheadCpuMs.TakeLast(10).Average()));

    /// <summary>Mean overhead of the five trials before trial <paramref name="count"/> (the cost "at" that history size).</summary>
    public Summary OverheadAt(int count) => Summary.Of(Results.Select(r => r.OverheadMs.Skip(Math.Max(0, count - 5)).Take(Math.Min(5, count)).Average()));

    public Summary CpuAt(int count) => Summary.Of(Results.Select(r => r.OverheadCpuMs.Skip(Math.Max(0, count - 5)).Take(Math.Min(5, count)).Average()));

    public double ObjectiveMs => Results.Average(r => r.ObjectiveMs.Average());
}

/// <summary>Builds the printed report (markdown, laid out like results-optuna.md) and the JSON results.</summary>
internal sealed class Report(OptunaReference optuna, string commandLine)
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();

    public void Header()
    {
        Line($"# Mlops samplers vs Optuna {optuna.Version} on the HPO anchor suite");
        Line();
        Line($"Machine: {Environment.OSVersion}, {Environment.ProcessorCount} cpus, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, " +
            $".NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Command: `Mlops.HpoBench {commandLine}`.");
        Line("Cells: median [q25, q75] over seeds of the best objective within the first c trials (regret = best - optimum for synthetic problems). " +
            "Overhead = ask+tell ms per trial, one study at a time in one process (mean over the run; in brackets the mean of the last 10 trials): " +
            "wall time like Optuna's, and the thread's CPU time, which a shared machine's load does not inflate. " +
            "Optuna rows are Optuna's recorded results (bench/hpo/results-optuna.json; its overhead column is from its 2-worker run).");
        Line();
    }

    public void Problem(BenchmarkProblem problem, IReadOnlyList<SamplerRuns> runs)
    {
        var checkpoints = problem.Checkpoints;
        Line($"## {problem.Name} ({problem.Kind}, {problem.Direction.ToString().ToLowerInvariant()}, {problem.Measure})");
        Line();
        Line($"| sampler | seeds | {string.Join(" | ", checkpoints.Select(c => "@" + c))} | overhead ms/trial | cpu ms/trial |");
        Line($"|---|---|{string.Concat(checkpoints.Select(_ => "---|"))}---|---|");
        foreach (var run in runs)
        {
            Line($"| {run.Description} | {run.Results.Count} | {string.Join(" | ", checkpoints.Select(c => run.At(c).Cell()))} | {Ms(run.OverheadRun.Median)} [{Ms(run.OverheadLast10.Median)}] | {Ms(run.CpuRun.Median)} [{Ms(run.CpuLast10.Median)}] |");
        }

        foreach (var sampler in optuna.Samplers(problem.Name))
        {
            var cells = checkpoints.Select(c => optuna.Checkpoint(problem.Name, sampler, c, problem.Measure)?.Cell() ?? "-");
            var overhead = optuna.Overhead(problem.Name, sampler);
            Line($"| optuna {sampler} | {optuna.Seeds(problem.Name, sampler)} | {string.Join(" | ", cells)} | {(overhead is { } o ? $"{Ms(o.Run)} [{Ms(o.Last10)}]" : "-")} | - |");
        }

        if (problem.Kind == "ml")
        {
            Line();
            Line("Objective (5-fold CV, ML.NET LightGBM) mean time per trial: " + string.Join(", ", runs.Select(r => $"{r.Sampler} {r.ObjectiveMs.ToString("F0", s_invariant)} ms")) +
                "; Optuna (scikit-learn HistGradientBoosting): " + string.Join(", ", optuna.Samplers(problem.Name).Select(s => $"{s} {optuna.ObjectiveMs(problem.Name, s)?.ToString("F0", s_invariant)} ms")));
        }

        Line();
    }

    public void Overheads(IReadOnlyList<SamplerRuns> all)
    {
        if (all.Count == 0)
        {
            return;
        }

        var samplers = all.Select(r => r.Sampler).Distinct().ToList();
        Line("## Sampler overhead (ms per trial, ask+tell, thread CPU time; median over seeds of the run mean [of the last-10 mean]; Optuna: wall time of its serial run)");
        Line();
        Line($"| problem | dims | {string.Join(" | ", samplers)} | optuna tpe (serial) | optuna tpe_multivariate (serial) |");
        Line($"|---|---|{string.Concat(samplers.Select(_ => "---|"))}---|---|");
        foreach (var group in all.GroupBy(r => r.Problem.Name))
        {
            var problem = group.First().Problem;
            var cells = samplers.Select(s => group.FirstOrDefault(r => r.Sampler == s) is { } r ? $"{Ms(r.CpuRun.Median)} [{Ms(r.CpuLast10.Median)}]" : "-");
            Line($"| {problem.Name} | {problem.Space.Parameters.Count} | {string.Join(" | ", cells)} | {Serial(problem.Name, "tpe")} | {Serial(problem.Name, "tpe_multivariate")} |");
        }

        Line();
        Line("Cost as the history grows (ms per trial, thread CPU time, mean of the 5 trials before the count, median over seeds):");
        Line();
        Line("| problem | sampler | @10 | @25 | @50 | @100 |");
        Line("|---|---|---|---|---|---|");
        foreach (var run in all.Where(r => r.Sampler is "gp" or SamplerMap.Default or "tpe"))
        {
            var cells = new[] { 10, 25, 50, 100 }.Select(c => c <= run.Problem.Trials ? Ms(run.CpuAt(c).Median) : "-");
            Line($"| {run.Problem.Name} | {run.Description} | {string.Join(" | ", cells)} |");
        }

        Line();
    }

    public void Pruning(IReadOnlyList<PruningResult> results, int trials)
    {
        if (results.Count == 0)
        {
            return;
        }

        Line($"## lc_decay pruning ({trials} trials x 20 epochs)");
        Line();
        Line("| sampler | pruner | seeds | epochs total (median [IQR]) | pruned trials | best final y20 (noisy) | true g of best | overhead ms/trial |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.Sampler, r.Pruner)))
        {
            var epochs = Summary.Of(group.Select(r => (double)r.Epochs));
            Line($"| {group.Key.Sampler} | {group.Key.Pruner} | {group.Count()} | {Whole(epochs)} | {Summary.Of(group.Select(r => (double)r.Pruned)).Median.ToString("0.#", s_invariant)} | " +
                $"{Summary.Of(group.Select(r => r.BestValue)).Cell()} | {Summary.Format(Summary.Of(group.Select(r => r.BestTrueValue)).Median)} | {Ms(Summary.Of(group.Select(r => r.OverheadMs)).Median)} |");
        }

        foreach (var pruner in LcDecayBenchmark.Pruners)
        {
            if (optuna.Pruning(pruner) is not { } o)
            {
                continue;
            }

            Line($"| optuna tpe | {pruner} | {o.GetProperty("n_seeds").GetInt32()} | {Whole(OptunaReference.Read(o.GetProperty("epochs_total")))} | " +
                $"{o.GetProperty("n_pruned").GetProperty("median").GetDouble().ToString("0.#", s_invariant)} | {OptunaReference.Read(o.GetProperty("best_value")).Cell()} | " +
                $"{Summary.Format(o.GetProperty("best_true_value").GetProperty("median").GetDouble())} | {Ms(o.GetProperty("overhead_ms_per_trial").GetProperty("median").GetDouble())} |");
        }

        Line();
        Line("Noise-free optimum g* = 0.11700. No pruning = 2000 epochs.");
        Line();
    }

    /// <summary>
    /// The acceptance targets for one sampler: its median at 50 trials (the last checkpoint when the budget is
    /// smaller) at least as good as Optuna TPE's on ≥ 80 % of the problems and strictly better on ≥ half, and its
    /// overhead at most a tenth of Optuna TPE's (the clean serial figures, at the same trial count).
    /// </summary>
    public JsonObject Targets(string sampler, IReadOnlyList<SamplerRuns> all)
    {
        var runs = all.Where(r => r.Sampler == sampler).ToList();
        var rows = new JsonArray();
        if (runs.Count == 0)
        {
            return new JsonObject { ["sampler"] = sampler, ["problems"] = rows };
        }

        Line($"## Targets for \"{sampler}\"");
        Line();
        Line("| problem | checkpoint | ours (median) | Optuna TPE (median) | at least as good | strictly better | ours wall run [last 10] | ours cpu run [last 10] | Optuna TPE serial run [last 10] | ratio (cpu) run [last 10] |");
        Line("|---|---|---|---|---|---|---|---|---|---|");
        int atLeast = 0, strictly = 0, cheap = 0;
        foreach (var run in runs)
        {
            var problem = run.Problem;
            var checkpoint = problem.Checkpoints.Contains(50) ? 50 : problem.Checkpoints.Max();
            var ours = run.At(checkpoint).Median;
            var theirs = optuna.Checkpoint(problem.Name, "tpe", checkpoint, problem.Measure)?.Median ?? double.NaN;
            var sign = problem.Optimum is null && problem.Direction == StudyDirection.Maximize ? -1 : 1;
            var asGood = sign * ours <= sign * theirs;
            var better = sign * ours < sign * theirs;
            var reference = optuna.SerialOverhead(problem.Name, "tpe");
            // CPU time when it is measurable: Optuna's figures come from a serial run on an otherwise idle machine.
            var ourRun = double.IsNaN(run.CpuRun.Median) ? run.OverheadRun.Median : run.CpuRun.Median;
            var ourLast = double.IsNaN(run.CpuLast10.Median) ? run.OverheadLast10.Median : run.CpuLast10.Median;
            var ratioRun = reference is { } r1 ? ourRun / r1.Run : double.NaN;
            var ratioLast = reference is { } r2 ? ourLast / r2.Last10 : double.NaN;
            atLeast += asGood ? 1 : 0;
            strictly += better ? 1 : 0;
            cheap += ratioRun <= 0.1 && ratioLast <= 0.1 ? 1 : 0;
            Line($"| {problem.Name} | @{checkpoint} | {Summary.Format(ours)} | {Summary.Format(theirs)} | {(asGood ? "yes" : "no")} | {(better ? "yes" : "no")} | " +
                $"{Ms(run.OverheadRun.Median)} [{Ms(run.OverheadLast10.Median)}] | {Ms(run.CpuRun.Median)} [{Ms(run.CpuLast10.Median)}] | " +
                $"{(reference is { } r ? $"{Ms(r.Run)} [{Ms(r.Last10)}]" : "-")} | {ratioRun:0.00} [{ratioLast:0.00}] |");
            rows.Add(new JsonObject
            {
                ["problem"] = problem.Name,
                ["checkpoint"] = checkpoint,
                ["ours_median"] = ours,
                ["optuna_tpe_median"] = theirs,
                ["at_least_as_good"] = asGood,
                ["strictly_better"] = better,
                ["overhead_ms_run"] = run.OverheadRun.Median,
                ["overhead_ms_last10"] = run.OverheadLast10.Median,
                ["overhead_cpu_ms_run"] = run.CpuRun.Median,
                ["overhead_cpu_ms_last10"] = run.CpuLast10.Median,
                ["optuna_tpe_serial_ms_run"] = reference?.Run,
                ["optuna_tpe_serial_ms_last10"] = reference?.Last10,
            });
        }

        var n = runs.Count;
        var qualityMet = atLeast >= 0.8 * n && strictly >= 0.5 * n;
        Line();
        Line($"Quality: at least as good as Optuna TPE on {atLeast}/{n} problems (target >= 80 %), strictly better on {strictly}/{n} (target >= half): **{(qualityMet ? "met" : "not met")}**.");
        Line($"Overhead: at most 1/10 of Optuna TPE's (run mean and last-10 mean, our CPU time against its serial wall time) on {cheap}/{n} problems: **{(cheap == n ? "met" : "not met")}**.");
        Line();
        return new JsonObject
        {
            ["sampler"] = sampler,
            ["problems"] = rows,
            ["at_least_as_good"] = atLeast,
            ["strictly_better"] = strictly,
            ["overhead_within_tenth"] = cheap,
            ["quality_met"] = qualityMet,
            ["overhead_met"] = cheap == n,
        };
    }

    public static JsonObject Json(IReadOnlyList<SamplerRuns> all, IReadOnlyList<PruningResult> pruning, JsonArray targets, string commandLine)
    {
        var problems = new JsonObject();
        foreach (var group in all.GroupBy(r => r.Problem.Name))
        {
            var samplers = new JsonObject();
            foreach (var run in group)
            {
                var checkpoints = new JsonObject();
                foreach (var c in run.Problem.Checkpoints)
                {
                    var entry = new JsonObject { ["best"] = Stats(run.BestAt(c)) };
                    if (run.Problem.Optimum is not null)
                    {
                        entry["regret"] = Stats(run.At(c));
                    }

                    checkpoints[c.ToString(s_invariant)] = entry;
                }

                samplers[run.Sampler] = new JsonObject
                {
                    ["resolved"] = run.Description,
                    ["n_seeds"] = run.Results.Count,
                    ["checkpoints"] = checkpoints,
                    ["overhead_ms_per_trial"] = new JsonObject
                    {
                        ["mean_over_run"] = Stats(run.OverheadRun),
                        ["last_10_trials"] = Stats(run.OverheadLast10),
                        ["cpu_mean_over_run"] = Stats(run.CpuRun),
                        ["cpu_last_10_trials"] = Stats(run.CpuLast10),
                        ["cpu_at_10_25_50_100"] = new JsonArray([.. new[] { 10, 25, 50, 100 }.Where(c => c <= run.Problem.Trials).Select(c => (JsonNode)run.CpuAt(c).Median)]),
                        ["at_10_25_50_100"] = new JsonArray([.. new[] { 10, 25, 50, 100 }.Where(c => c <= run.Problem.Trials).Select(c => (JsonNode)run.OverheadAt(c).Median)]),
                    },
                    ["objective_ms_per_trial_mean"] = run.ObjectiveMs,
                    ["per_seed_best_so_far"] = new JsonObject(run.Results.Select(r => KeyValuePair.Create(r.Seed.ToString(s_invariant), (JsonNode?)new JsonArray([.. r.BestSoFar.Select(v => (JsonNode)v)])))),
                    ["per_seed_best_params"] = new JsonObject(run.Results.Select(r => KeyValuePair.Create(r.Seed.ToString(s_invariant), (JsonNode?)Params(r.BestParams)))),
                };
            }

            problems[group.Key] = new JsonObject { ["samplers"] = samplers };
        }

        var pruningNode = new JsonObject();
        foreach (var group in pruning.GroupBy(r => $"{r.Sampler}/{r.Pruner}"))
        {
            pruningNode[group.Key] = new JsonObject
            {
                ["n_seeds"] = group.Count(),
                ["epochs_total"] = Stats(Summary.Of(group.Select(r => (double)r.Epochs))),
                ["n_pruned"] = Stats(Summary.Of(group.Select(r => (double)r.Pruned))),
                ["best_value"] = Stats(Summary.Of(group.Select(r => r.BestValue))),
                ["best_true_value"] = Stats(Summary.Of(group.Select(r => r.BestTrueValue))),
                ["overhead_ms_per_trial"] = Stats(Summary.Of(group.Select(r => r.OverheadMs))),
                ["per_seed"] = new JsonArray([.. group.Select(r => (JsonNode)new JsonObject
                {
                    ["seed"] = r.Seed,
                    ["epochs_total"] = r.Epochs,
                    ["n_pruned"] = r.Pruned,
                    ["best_value"] = r.BestValue,
                    ["best_true_value"] = r.BestTrueValue,
                    ["best_params"] = Params(r.BestParams),
                })]),
            };
        }

        return new JsonObject
        {
            ["env"] = new JsonObject
            {
                ["dotnet"] = Environment.Version.ToString(),
                ["os"] = Environment.OSVersion.ToString(),
                ["cpus"] = Environment.ProcessorCount,
                ["date_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", s_invariant),
            },
            ["command"] = "Mlops.HpoBench " + commandLine,
            ["problems"] = problems,
            ["pruning"] = pruningNode,
            ["targets"] = targets,
        };
    }

    private static JsonObject Stats(Summary s) => new() { ["median"] = s.Median, ["q25"] = s.Q25, ["q75"] = s.Q75, ["mean"] = s.Mean };

    private static JsonObject Params(IReadOnlyDictionary<string, object> values)
    {
        var node = new JsonObject();
        foreach (var (key, value) in values)
        {
            node[key] = value switch
            {
                double d => (JsonNode)d,
                long l => l,
                bool b => b,
                _ => Convert.ToString(value, s_invariant),
            };
        }

        return node;
    }

    private string Serial(string problem, string sampler) => optuna.SerialOverhead(problem, sampler) is { } o ? $"{Ms(o.Run)} [{Ms(o.Last10)}]" : "-";

    private static string Ms(double value) => value.ToString(value < 0.1 ? "0.000" : "0.00", s_invariant);

    private static string Whole(Summary s) => $"{s.Median:0} [{s.Q25:0}, {s.Q75:0}]";

    private void Line(string text = "") => _text.AppendLine(text);
}
