namespace Mlops.Domain.Optimization;

/// <summary>Which sampler a study uses and its seed; see <see cref="Samplers.SamplerCatalog"/> for the names.</summary>
public sealed record SamplerSpec(string Name, long Seed);

/// <summary>Which pruner a study uses, with its numeric options by name; see <see cref="Pruners.PrunerCatalog"/>.</summary>
public sealed record PrunerSpec(string Name, IReadOnlyDictionary<string, double> Options)
{
    public static PrunerSpec None { get; } = new("none", new Dictionary<string, double>());
}
