namespace Mlops.Domain.Training;

/// <summary>
/// The ML.NET trainers a spec can name. Spec values: lightgbm, fasttree, fastforest, sdca, lbfgs_logistic,
/// lbfgs_poisson, averaged_perceptron (see <see cref="TrainingSpecNames"/>); which tasks each supports is in <see cref="TrainerCatalog"/>.
/// </summary>
public enum TrainerKind
{
    LightGbm,
    FastTree,
    FastForest,
    Sdca,
    LbfgsLogisticRegression,
    LbfgsPoissonRegression,
    AveragedPerceptron,
}
