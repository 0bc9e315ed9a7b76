using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>Which of a package's flavors serving loads: <see cref="Auto"/> prefers ML.NET and falls back to ONNX.</summary>
public enum ServingFlavor
{
    Auto,
    MlNet,
    Onnx,
}

public static class ServingFlavors
{
    /// <summary>The names a user types (<c>--flavor auto|mlnet|onnx</c>), as the MLmodel flavor names.</summary>
    public static readonly string[] Names = ["auto", Domain.Models.ModelFlavor.MlNet, Domain.Models.ModelFlavor.Onnx];

    public static ServingFlavor Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ServingFlavor.Auto,
        Domain.Models.ModelFlavor.MlNet => ServingFlavor.MlNet,
        Domain.Models.ModelFlavor.Onnx => ServingFlavor.Onnx,
        _ => throw MlopsException.Invalid($"Unknown model flavor '{name}'; use one of {string.Join(", ", Names)}."),
    };
}
