namespace Mlops.Domain.Training;

/// <summary>How a training job estimates generalisation. Spec values: holdout, kfold.</summary>
public enum ValidationMethod
{
    Holdout,
    KFold,
}
