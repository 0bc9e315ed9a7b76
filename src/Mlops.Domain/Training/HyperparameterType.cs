namespace Mlops.Domain.Training;

/// <summary>The type of a hyperparameter value as written in the spec, and the type a known hyperparameter expects.</summary>
public enum HyperparameterType
{
    Integer,
    Number,
    Boolean,
    Text,
}
