using Mlops.Domain.Common;
using Mlops.Domain.Optimization.Samplers.Gp;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>The samplers a study can name, and the rule that picks one for "auto".</summary>
public static class SamplerCatalog
{
    public const string Auto = "auto";

    public static IReadOnlyList<string> Names { get; } = [Auto, "gp", "tpe", "tpe_multivariate", "random", "grid"];

    public static string Normalize(string? name)
    {
        var normalized = string.IsNullOrWhiteSpace(name) ? Auto : name.Trim().ToLowerInvariant().Replace('-', '_');
        return Names.Contains(normalized)
            ? normalized
            : throw MlopsException.Invalid($"Unknown sampler '{name}'; use one of {string.Join(", ", Names)}.");
    }

    /// <summary>
    /// What "auto" means for a space: the Gaussian-process sampler for single-objective studies over a flat space
    /// of modest size, where it needs far fewer trials than TPE (see bench/hpo/results-mlops.md); multivariate TPE
    /// for conditional spaces, many dimensions, or several objectives, where a GP is either slow or ill-suited.
    /// </summary>
    public static string Resolve(string name, SearchSpace space, int directions) =>
        name != Auto ? name
        : directions == 1 && space.IsFlat && space.Parameters.Count <= 12 ? "gp"
        : "tpe_multivariate";

    public static ISampler Create(SamplerSpec spec, SearchSpace space, int directions) =>
        Resolve(Normalize(spec.Name), space, directions) switch
        {
            "gp" => new GpSampler(spec.Seed),
            "tpe" => new TpeSampler(spec.Seed),
            "tpe_multivariate" => new TpeSampler(spec.Seed, new TpeOptions { Multivariate = true }),
            "grid" => new GridSampler(spec.Seed),
            _ => new RandomSampler(spec.Seed),
        };
}
