using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mlops.Domain.Optimization;
using Mlops.HpoBench;
using Mlops.HpoBench.Problems;
using Mlops.HpoBench.Reporting;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var dataFolder = options.DataFolder ?? BenchOptions.FindUp(Path.Combine("bench", "hpo"));
var suite = ProblemCatalog.LoadSuite(Path.Combine(dataFolder, "problems.json"));
var optuna = OptunaReference.Load(dataFolder);
var report = new Report(optuna, string.Join(' ', args));
report.Header();

Warmup();

var all = new List<SamplerRuns>();
var pruning = new List<PruningResult>();
foreach (var definition in suite.GetProperty("problems").EnumerateArray())
{
    var name = definition.GetProperty("name").GetString()!;
    if (!options.Runs(name) || name == LcDecayBenchmark.Name)
    {
        continue;
    }

    var problem = definition.GetProperty("kind").GetString() == "ml"
        ? BreastCancerProblem.Create(definition, BenchOptions.FindUp(Path.Combine("samples", "data")))
        : ProblemCatalog.Synthetic(definition);
    if (problem is null)
    {
        Console.Error.WriteLine($"skipping {name}: no objective for it");
        continue;
    }

    var seeds = Math.Min(problem.Seeds, options.Seeds ?? int.MaxValue);
    var runs = new List<SamplerRuns>();
    foreach (var sampler in options.Samplers)
    {
        var results = new List<StudyResult>();
        for (var seed = 0; seed < seeds; seed++)
        {
            results.Add(StudyRunner.Run(problem, sampler, SamplerMap.Create(sampler, seed, problem.Space), seed));
        }

        var run = new SamplerRuns(problem, sampler, SamplerMap.Describe(sampler, problem.Space), results);
        runs.Add(run);
        Console.Error.WriteLine($"{name} / {sampler}: median @{problem.Checkpoints[^1]} {run.At(problem.Checkpoints[^1]).Cell()}, {run.OverheadRun.Median:F3} ms/trial");
    }

    report.Problem(problem, runs);
    all.AddRange(runs);
}

report.Overheads(all);

if (options.Runs(LcDecayBenchmark.Name))
{
    var definition = suite.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("name").GetString() == LcDecayBenchmark.Name);
    var seeds = Math.Min(definition.GetProperty("budget").GetProperty("seeds").GetInt32(), options.Seeds ?? int.MaxValue);
    foreach (var sampler in options.PruningSamplers)
    {
        foreach (var pruner in LcDecayBenchmark.Pruners)
        {
            for (var seed = 0; seed < seeds; seed++)
            {
                pruning.Add(LcDecayBenchmark.Run(definition, sampler, pruner, seed));
            }

            Console.Error.WriteLine($"lc_decay / {sampler} / {pruner} done");
        }
    }

    report.Pruning(pruning, definition.GetProperty("budget").GetProperty("trials")[0].GetInt32());
}

var targets = new JsonArray();
foreach (var sampler in new[] { SamplerMap.Default, "gp" }.Where(options.Samplers.Contains))
{
    targets.Add(report.Targets(sampler, all));
}

Console.Write(report.Text);
if (options.Markdown is { } markdown)
{
    File.WriteAllText(markdown, report.Text);
}

if (options.Out is { } output)
{
    File.WriteAllText(output, Report.Json(all, pruning, targets, string.Join(' ', args)).ToJsonString(new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
}

return 0;

// Runs every sampler briefly so the timed studies measure compiled code, not the JIT.
void Warmup()
{
    var branin = ProblemCatalog.Synthetic(suite.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("name").GetString() == "branin"))!;
    var shortBranin = branin with { Trials = 40 };
    foreach (var sampler in SamplerMap.Names)
    {
        StudyRunner.Run(shortBranin, sampler, SamplerMap.Create(sampler, 12345, branin.Space), 12345);
    }
}
