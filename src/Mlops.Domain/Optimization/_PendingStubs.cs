// TEMPORARY: stands in for the sampler and pruner classes being written in parallel; deleted when they land.
#pragma warning disable
namespace Mlops.Domain.Optimization.Samplers
{
    public sealed record TpeOptions { public bool Multivariate { get; init; } }
    public sealed class TpeSampler(long seed, TpeOptions? options = null) : ISampler { public IReadOnlyDictionary<string, double> Sample(SamplingContext c) => new RandomSampler(seed).Sample(c); }
    public sealed class GridSampler(long seed) : ISampler { public static long GridSize(Space.SearchSpace s) => 1; public IReadOnlyDictionary<string, double> Sample(SamplingContext c) => new RandomSampler(seed).Sample(c); }
    public sealed class RandomSampler(long seed) : ISampler
    {
        public IReadOnlyDictionary<string, double> Sample(SamplingContext c)
        {
            var r = TrialRandom.For(seed, c.TrialNumber);
            return c.Space.Assign((p, _) => p switch
            {
                Space.FloatDistribution f => f.Snap(f.Low + r.NextDouble() * (f.High - f.Low)),
                Space.IntDistribution i => i.Snap(i.Low + r.NextDouble() * (i.High - i.Low)),
                Space.CategoricalDistribution k => r.Next(k.Choices.Count),
                _ => 0,
            });
        }
    }
}
