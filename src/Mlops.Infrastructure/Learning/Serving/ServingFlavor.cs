namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>Which of a package's flavors serving loads: <see cref="Auto"/> prefers ML.NET and falls back to ONNX.</summary>
public enum ServingFlavor
{
    Auto,
    MlNet,
    Onnx,
}
