using System.Globalization;

namespace Mlops.HpoBench;

/// <summary>Command-line options. Unset lists mean "all"; <see cref="Seeds"/> caps each problem's own seed count.</summary>
internal sealed record BenchOptions(
    IReadOnlyList<string>? Problems,
    IReadOnlyList<string> Samplers,
    int? Seeds,
    string? Out,
    string? Markdown,
    IReadOnlyList<string> PruningSamplers,
    string? DataFolder)
{
    public const string Usage = """
        Mlops.HpoBench: runs our samplers on the shared HPO suite and prints them beside Optuna 3.1's recorded results.

          --problems a,b          problems to run (default: all; names from bench/hpo/problems.json, lc_decay is the
                                  pruning benchmark, hgb_breast_cancer the slow ML one)
          --samplers x,y          samplers (default: random,tpe,tpe_multivariate,gp,default)
          --seeds N               at most N seeds per problem (default: each problem's own count)
          --out results.json      also write the raw results and summaries as JSON
          --markdown results.md   also write the printed report to a file
          --pruning-samplers x,y  samplers for lc_decay (default: tpe,default)
          --data DIR              folder with problems.json and Optuna's results (default: bench/hpo of this repo)
        """;

    public static BenchOptions Parse(string[] args)
    {
        IReadOnlyList<string>? problems = null;
        IReadOnlyList<string> samplers = SamplerMap.Names;
        IReadOnlyList<string> pruningSamplers = ["tpe", SamplerMap.Default];
        int? seeds = null;
        string? output = null, markdown = null, data = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            switch (args[i])
            {
                case "--problems":
                    problems = List(Value());
                    break;
                case "--samplers":
                    samplers = List(Value());
                    break;
                case "--pruning-samplers":
                    pruningSamplers = List(Value());
                    break;
                case "--seeds":
                    seeds = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--markdown":
                    markdown = Value();
                    break;
                case "--data":
                    data = Value();
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }

        foreach (var name in samplers.Concat(pruningSamplers).Where(n => !SamplerMap.Names.Contains(n)))
        {
            throw new ArgumentException($"unknown sampler '{name}'; use one of {string.Join(", ", SamplerMap.Names)}");
        }

        return new BenchOptions(problems, samplers, seeds, output, markdown, pruningSamplers, data);
    }

    public bool Runs(string problem) => Problems is null || Problems.Contains(problem);

    /// <summary>bench/hpo of the repository this binary was built from (searched upwards from the binary).</summary>
    public static string FindUp(string relative)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relative);
            if (Directory.Exists(candidate) || File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"'{relative}' not found above {AppContext.BaseDirectory}");
    }
}
