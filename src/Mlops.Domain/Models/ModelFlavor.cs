namespace Mlops.Domain.Models;

/// <summary>
/// One way to load a model (an entry under <c>flavors:</c> in MLmodel). Properties are flat strings; flavors written by
/// MLflow with nested maps are read with dotted keys (<c>env.conda</c>), which is enough to show them and never to load them.
/// </summary>
public sealed record ModelFlavor(string Name, IReadOnlyDictionary<string, string> Properties)
{
    public const string MlNet = "mlnet";
    public const string MlNetModelFileKey = "model_file";
    public const string MlNetVersionKey = "mlnet_version";
    public const string MlNetModelFile = "model.zip";

    public const string Onnx = "onnx";
    public const string OnnxModelKey = "onnx_model";
    public const string OnnxModelFile = "model.onnx";

    public static ModelFlavor ForMlNet(string mlnetVersion, string modelFile = MlNetModelFile) =>
        new(MlNet, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MlNetModelFileKey] = modelFile,
            [MlNetVersionKey] = mlnetVersion,
        });

    public static ModelFlavor ForOnnx(string modelFile = OnnxModelFile) =>
        new(Onnx, new Dictionary<string, string>(StringComparer.Ordinal) { [OnnxModelKey] = modelFile });

    public string? GetProperty(string key) => Properties.TryGetValue(key, out var value) ? value : null;
}
