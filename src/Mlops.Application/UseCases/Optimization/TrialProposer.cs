using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>Turns a study's history into the next trial's parameters with the study's sampler.</summary>
public static class TrialProposer
{
    public static Func<IReadOnlyList<Trial>, IReadOnlyDictionary<string, double>> For(Study study)
    {
        var sampler = SamplerCatalog.Create(study.Sampler, study.Space, study.Directions.Count);
        return trials => sampler.Sample(new SamplingContext(study.Space, study.Directions, [.. trials.Select(t => t.ToSnapshot())], trials.Count));
    }
}
