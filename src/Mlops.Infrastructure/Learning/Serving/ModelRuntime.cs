using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Learning.Serving.Onnx;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>
/// Loads a model package with the runtime its flavors call for. With <see cref="ServingFlavor.Auto"/>, a package with
/// the mlnet flavor is served by ML.NET (the flavor training always writes, so the reference for every answer) and
/// one with only the onnx flavor by ONNX Runtime; an explicit flavor is used as asked, and fails clearly when the
/// package lacks it.
/// </summary>
public sealed class ModelRuntime(ServingFlavor flavor = ServingFlavor.Auto) : IModelRuntime
{
    private readonly MlNetModelRuntime _mlNet = new();
    private readonly OnnxModelRuntime _onnx = new();

    public ServingFlavor Flavor { get; } = flavor;

    public IPredictor Load(string packageFolder, string? expectedMlModelSha256) => Choose(packageFolder, expectedMlModelSha256) switch
    {
        ServingFlavor.Onnx => _onnx.Load(packageFolder, expectedMlModelSha256),
        _ => _mlNet.Load(packageFolder, expectedMlModelSha256),
    };

    /// <summary>The flavor <see cref="Load"/> uses for the package in <paramref name="packageFolder"/>.</summary>
    public ServingFlavor Choose(string packageFolder, string? expectedMlModelSha256)
    {
        if (Flavor != ServingFlavor.Auto)
        {
            return Flavor;
        }

        // The flavors are read from a verified MLmodel; the chosen loader verifies the package again on the handles it
        // reads, which costs a second hashing at load time, once per deployment.
        var flavors = ModelPackage.Verify(packageFolder, expectedMlModelSha256).Flavors;
        if (flavors.ContainsKey(ModelFlavor.MlNet))
        {
            return ServingFlavor.MlNet;
        }

        if (flavors.ContainsKey(ModelFlavor.Onnx))
        {
            return ServingFlavor.Onnx;
        }

        var present = flavors.Count == 0 ? "none" : string.Join(", ", flavors.Keys.Order(StringComparer.Ordinal));
        throw MlopsException.Invalid($"The model package in '{packageFolder}' has neither the {ModelFlavor.MlNet} nor the {ModelFlavor.Onnx} flavor, so it cannot be served; flavors present: {present}.");
    }
}
