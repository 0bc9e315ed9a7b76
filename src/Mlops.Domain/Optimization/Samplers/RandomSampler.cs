using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// Independent uniform proposals: uniform or log-uniform floats, integers uniform over their step grid (log-uniform
/// when <c>Log</c> is set), categorical choices uniform. Each parameter draws from its own stream of (seed, trial
/// number, parameter name), so a parameter's value does not depend on which other parameters are active.
/// </summary>
public sealed class RandomSampler(long seed) : ISampler
{
    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var trialNumber = context.TrialNumber;
        return context.Space.Assign((parameter, _) => Draw(parameter, Stream(seed, trialNumber, parameter.Name, 0)));
    }

    /// <summary>One uniform draw of a parameter's internal value; always inside the distribution.</summary>
    internal static double Draw(ParameterDistribution parameter, Random random) => parameter switch
    {
        FloatDistribution f => DrawFloat(f, random.NextDouble()),
        IntDistribution i => DrawInt(i, random.NextDouble()),
        CategoricalDistribution c => random.Next(c.Choices.Count),
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter.GetType().Name, "Unknown distribution."),
    };

    /// <summary>
    /// The random stream of one parameter in one trial. <paramref name="salt"/> separates uses (a random draw, a TPE
    /// proposal) so they never share draws.
    /// </summary>
    internal static Random Stream(long seed, int trialNumber, string name, int salt) =>
        TrialRandom.For(seed, trialNumber, NameHash(name) ^ salt);

    private static double DrawFloat(FloatDistribution f, double u)
    {
        if (f.Log)
        {
            var low = Math.Log(f.Low);
            return f.Snap(Math.Exp(low + (u * (Math.Log(f.High) - low))));
        }

        if (f.Step is { } step)
        {
            var last = Math.Floor(((f.High - f.Low) / step) + 1e-9);
            if (double.IsFinite(last))
            {
                return f.Snap(f.Low + (Math.Min(Math.Floor(u * (last + 1)), last) * step));
            }
        }

        // Written as a blend so that a range wider than double.MaxValue cannot overflow.
        return f.Snap((f.Low * (1 - u)) + (f.High * u));
    }

    private static double DrawInt(IntDistribution i, double u)
    {
        if (i.Log)
        {
            // Widened by half a unit on each side, so the end values get their fair share after rounding.
            var low = Math.Log(i.Low - 0.5);
            return i.Snap(Math.Round(Math.Exp(low + (u * (Math.Log(i.High + 0.5) - low)))));
        }

        var last = Math.Floor(((double)i.High - i.Low) / i.Step);
        return i.Snap(i.Low + (Math.Min(Math.Floor(u * (last + 1)), last) * i.Step));
    }

    // FNV-1a: stable across processes, unlike string.GetHashCode.
    private static int NameHash(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
