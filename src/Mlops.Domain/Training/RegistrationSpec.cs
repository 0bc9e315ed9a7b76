namespace Mlops.Domain.Training;

/// <summary>Registers the trained model as a new version of <see cref="Model"/>, and points <see cref="Alias"/> at it when set.</summary>
public sealed record RegistrationSpec
{
    public required string Model { get; init; }

    public string? Alias { get; init; }
}
