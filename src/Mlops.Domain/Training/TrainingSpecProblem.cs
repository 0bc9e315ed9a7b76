namespace Mlops.Domain.Training;

/// <summary>
/// One thing wrong with a spec. <see cref="Path"/> is the field as the user wrote it (<c>dataset.features[2]</c>,
/// <c>trainer.hyperparameters.learning_rate</c>), so a parser can add the line it came from.
/// </summary>
public sealed record TrainingSpecProblem(string Path, string Message)
{
    public override string ToString() => Path + ": " + Message;
}
