using Mlops.Domain.Common;
using Mlops.Domain.Models;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>The names of <see cref="ServingFlavor"/> a user types (<c>--flavor auto|mlnet|onnx</c>): the MLmodel flavor names, plus auto.</summary>
public static class ServingFlavors
{
    public const string Auto = "auto";

    public static readonly string[] Names = [Auto, ModelFlavor.MlNet, ModelFlavor.Onnx];

    public static ServingFlavor Parse(string name) => name.ToLowerInvariant() switch
    {
        Auto => ServingFlavor.Auto,
        ModelFlavor.MlNet => ServingFlavor.MlNet,
        ModelFlavor.Onnx => ServingFlavor.Onnx,
        _ => throw MlopsException.Invalid($"Unknown model flavor '{name}'; use one of {string.Join(", ", Names)}."),
    };
}
