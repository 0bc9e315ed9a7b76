using System.Collections.ObjectModel;

namespace Mlops.Domain.Training;

/// <summary>The trainer and the hyperparameters the spec sets; any hyperparameter left out keeps ML.NET's default.</summary>
public sealed record TrainerSpec
{
    public required TrainerKind Name { get; init; }

    /// <summary>Keyed by the spec's snake_case names (see <see cref="TrainerCatalog.Hyperparameters"/>).</summary>
    public IReadOnlyDictionary<string, HyperparameterValue> Hyperparameters { get; init; } =
        ReadOnlyDictionary<string, HyperparameterValue>.Empty;
}
