namespace Mlops.Domain.Training;

/// <summary>How the model is evaluated: a hold-out split or k-fold cross-validation, both seeded so reruns agree.</summary>
public sealed record ValidationSpec
{
    public const double DefaultHoldoutFraction = 0.2;
    public const int DefaultFolds = 5;
    public const int MinFolds = 2;
    public const int MaxFolds = 20;
    public const int DefaultSeed = 42;

    public ValidationMethod Method { get; init; } = ValidationMethod.KFold;

    /// <summary>The share of rows held out for evaluation (holdout only), strictly between 0 and 1.</summary>
    public double HoldoutFraction { get; init; } = DefaultHoldoutFraction;

    /// <summary>The number of folds (kfold only).</summary>
    public int Folds { get; init; } = DefaultFolds;

    public int Seed { get; init; } = DefaultSeed;
}
