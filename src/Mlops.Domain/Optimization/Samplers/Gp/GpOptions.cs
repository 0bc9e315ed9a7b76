namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>Tuning knobs of <see cref="GpSampler"/>; the defaults were chosen on the HPO benchmark (bench/hpo).</summary>
public sealed record GpOptions
{
    /// <summary>Trials drawn from a space-filling design before the GP takes over.</summary>
    public int StartupTrials { get; init; } = 8;

    /// <summary>Uniformly random points scored by the acquisition function (fewer, down to a quarter, past 30 trials).</summary>
    public int Candidates { get; init; } = 128;

    /// <summary>How many of the best observed trials get a cloud of perturbed candidates around them.</summary>
    public int LocalCenters { get; init; } = 5;

    /// <summary>Perturbed candidates per centre.</summary>
    public int CandidatesPerCenter { get; init; } = 8;

    /// <summary>How many of the best-scoring candidates are refined by a gradient-based local search.</summary>
    public int LocalSearchStarts { get; init; } = 2;

    /// <summary>Acquisition evaluations allowed per local search.</summary>
    public int LocalSearchEvaluations { get; init; } = 10;

    /// <summary>How objective values are reshaped before the GP sees them.</summary>
    public OutputWarping Warping { get; init; } = OutputWarping.PowerTransform;

    /// <summary>Likelihood evaluations allowed for the first kernel fit.</summary>
    public int FitEvaluations { get; init; } = 40;

    /// <summary>Likelihood evaluations when refitting warm from the previous fit (fewer, down to 4, past 50 trials).</summary>
    public int RefitEvaluations { get; init; } = 10;

    /// <summary>
    /// The kernel is refitted once the history has grown by this fraction since the last fit (at least one trial; the
    /// wait doubles while refits leave the kernel unchanged); in between, new trials only extend the Cholesky factor,
    /// O(n²) instead of O(n³) per likelihood evaluation.
    /// </summary>
    public double RefitFraction { get; init; } = 0.15;
}
