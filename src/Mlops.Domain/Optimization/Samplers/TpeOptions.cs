namespace Mlops.Domain.Optimization.Samplers;

/// <summary>The settings of <see cref="TpeSampler"/>; the defaults are Optuna's, except that the constant liar is on.</summary>
public sealed record TpeOptions
{
    /// <summary>Finished (complete or pruned) trials sampled at random before the model takes over.</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Candidates drawn from the good-trials density; the one with the best density ratio is proposed.</summary>
    public int EiCandidates { get; init; } = 24;

    /// <summary>One joint kernel over all parameters instead of one independent density per parameter.</summary>
    public bool Multivariate { get; init; }

    /// <summary>Counts running trials as the worst ones, so parallel workers are pushed away from each other's points.</summary>
    public bool ConstantLiar { get; init; } = true;

    /// <summary>The weight of the prior (a wide kernel centred on the range) relative to one observation.</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Keeps every bandwidth at least range / min(100, kernels + 1), so a crowded cluster stays explorable.</summary>
    public bool ConsiderMagicClip { get; init; } = true;

    /// <summary>Lets the outermost kernels take their bandwidth from the distance to the range's end.</summary>
    public bool ConsiderEndpoints { get; init; }

    /// <summary>How many of n finished trials count as good.</summary>
    public Func<int, int> Gamma { get; init; } = DefaultGamma;

    /// <summary>The weights of n observations in chronological order (the prior's weight is added separately).</summary>
    public Func<int, double[]> Weights { get; init; } = DefaultWeights;

    /// <summary>Optuna's default: the best 10 %, rounded up, and never more than 25.</summary>
    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's default: the 25 most recent observations weigh 1, older ones ramp linearly from 1/n up to 1.</summary>
    public static double[] DefaultWeights(int n)
    {
        var weights = new double[n];
        const int Flat = 25;
        if (n <= Flat)
        {
            Array.Fill(weights, 1.0);
            return weights;
        }

        var ramp = n - Flat;
        for (var i = 0; i < ramp; i++)
        {
            weights[i] = ramp == 1 ? 1.0 / n : (1.0 / n) + (i * (1.0 - (1.0 / n)) / (ramp - 1));
        }

        for (var i = ramp; i < n; i++)
        {
            weights[i] = 1.0;
        }

        return weights;
    }
}
