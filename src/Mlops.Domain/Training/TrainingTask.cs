namespace Mlops.Domain.Training;

/// <summary>What a training job learns to predict. Spec values: binary, multiclass, regression (see <see cref="TrainingSpecNames"/>).</summary>
public enum TrainingTask
{
    BinaryClassification,
    MulticlassClassification,
    Regression,
}
