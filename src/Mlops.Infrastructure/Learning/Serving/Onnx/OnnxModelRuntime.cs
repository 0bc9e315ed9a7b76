using Mlops.Application.Ports;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>Loads the onnx flavor of model packages for serving, verified first (see <see cref="OnnxModelLoader"/>).</summary>
public sealed class OnnxModelRuntime : IModelRuntime
{
    public IPredictor Load(string packageFolder, string? expectedMlModelSha256) =>
        new OnnxPredictor(OnnxModelLoader.Load(packageFolder, expectedMlModelSha256));
}
