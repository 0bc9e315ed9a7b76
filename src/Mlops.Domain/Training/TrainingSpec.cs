using System.Collections.ObjectModel;

namespace Mlops.Domain.Training;

/// <summary>
/// A declarative training job: what data, which task and trainer, how to validate, what to optimise and where to
/// register the result. Build it from a file with the infrastructure's TrainingSpecParser, and check one built in
/// code with <see cref="TrainingSpecRules.Validate"/>.
/// </summary>
public sealed record TrainingSpec
{
    public const string DefaultExperiment = "Default";

    private readonly MetricsSpec? _metrics;

    /// <summary>The run name; null lets the tracking service generate one.</summary>
    public string? Name { get; init; }

    public string Experiment { get; init; } = DefaultExperiment;

    /// <summary>Tags set on the tracking run.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } =
        ReadOnlyDictionary<string, string>.Empty;

    public required DatasetSpec Dataset { get; init; }

    public required TrainingTask Task { get; init; }

    public required TrainerSpec Trainer { get; init; }

    public ValidationSpec Validation { get; init; } = new();

    /// <summary>When not set, the task's default metric (<see cref="TrainingMetrics.DefaultFor"/>).</summary>
    public MetricsSpec Metrics
    {
        get => _metrics ?? MetricsSpec.DefaultFor(Task);
        init => _metrics = value;
    }

    public RegistrationSpec? Register { get; init; }
}
