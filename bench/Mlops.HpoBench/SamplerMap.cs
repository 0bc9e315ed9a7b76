using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Samplers.Gp;
using Mlops.Domain.Optimization.Space;

namespace Mlops.HpoBench;

/// <summary>
/// The one place the harness maps a sampler name to an instance. "default" is whatever the product picks for a
/// study that names no sampler (<see cref="SamplerCatalog.Auto"/>), so the benchmark follows that rule when it changes.
/// </summary>
internal static class SamplerMap
{
    public const string Default = "default";

    public static IReadOnlyList<string> Names { get; } = ["random", "tpe", "tpe_multivariate", "gp", Default];

    /// <summary>The Optuna sampler each of ours is compared with (Optuna's TPE for "gp" and "default").</summary>
    public static string OptunaCounterpart(string name) => name switch
    {
        "random" => "random",
        "tpe_multivariate" => "tpe_multivariate",
        _ => "tpe",
    };

    public static ISampler Create(string name, long seed, SearchSpace space) => name switch
    {
        "random" => new RandomSampler(seed),
        "tpe" => new TpeSampler(seed),
        "tpe_multivariate" => new TpeSampler(seed, new TpeOptions { Multivariate = true }),
        "gp" => new GpSampler(seed),
        Default => SamplerCatalog.Create(new SamplerSpec(SamplerCatalog.Auto, seed), space, directions: 1),
        _ => throw new ArgumentException($"unknown sampler '{name}'; use one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>What "default" resolves to for a space (for the report).</summary>
    public static string Describe(string name, SearchSpace space) =>
        name == Default ? $"default ({SamplerCatalog.Resolve(SamplerCatalog.Auto, space, 1)})" : name;
}
