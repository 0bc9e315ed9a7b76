namespace Mlops.Domain.Models;

/// <summary>
/// The content of a model package's MLmodel file: how the model can be loaded (flavors), what it takes and returns
/// (signature), where it came from (run id, artifact path) and the sha256 of every file in the package, which is
/// checked before the model is loaded.
/// </summary>
public sealed record ModelDescriptor
{
    public const string FileName = "MLmodel";

    /// <summary>The package's path under its run's artifact root; null for a model saved outside a run.</summary>
    public string? ArtifactPath { get; init; }

    public string? RunId { get; init; }

    public string? ModelUuid { get; init; }

    public required DateTimeOffset UtcTimeCreated { get; init; }

    /// <summary>Flavor name to flavor; keys equal <see cref="ModelFlavor.Name"/>.</summary>
    public IReadOnlyDictionary<string, ModelFlavor> Flavors { get; init; } = new Dictionary<string, ModelFlavor>(StringComparer.Ordinal);

    public ModelSignature? Signature { get; init; }

    /// <summary>The input example's file in the package, e.g. <c>input_example.json</c>.</summary>
    public string? InputExampleFile { get; init; }

    /// <summary>Relative '/'-separated path to lowercase sha256 hex, for every file in the package except MLmodel itself.</summary>
    public IReadOnlyDictionary<string, string> FileHashes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, ModelFlavor> FlavorMap(params IEnumerable<ModelFlavor> flavors) =>
        flavors.ToDictionary(f => f.Name, StringComparer.Ordinal);
}
