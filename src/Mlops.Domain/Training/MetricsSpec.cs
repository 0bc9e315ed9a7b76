namespace Mlops.Domain.Training;

/// <summary>The metric that ranks models; it must be one of the task's metrics (<see cref="TrainingMetrics.For"/>).</summary>
public sealed record MetricsSpec
{
    public required string Optimize { get; init; }

    public static MetricsSpec DefaultFor(TrainingTask task) => new() { Optimize = TrainingMetrics.DefaultFor(task) };
}
