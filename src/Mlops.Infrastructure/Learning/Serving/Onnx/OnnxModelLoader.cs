using Microsoft.ML.OnnxRuntime;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// Loads the onnx flavor of a model package into an ONNX Runtime session. The package is verified first, and the
/// model bytes are read from the same handle their hash was checked on, then handed to ONNX Runtime from memory, so
/// a tampered package never reaches its parser.
/// </summary>
public static class OnnxModelLoader
{
    /// <param name="expectedMlModelSha256">The MLmodel hash recorded at registration, when the caller has one.</param>
    public static LoadedOnnxModel Load(string folder, string? expectedMlModelSha256 = null)
    {
        var descriptor = ModelPackage.Verify(folder, expectedMlModelSha256);
        if (!descriptor.Flavors.TryGetValue(ModelFlavor.Onnx, out var flavor))
        {
            var present = descriptor.Flavors.Count == 0 ? "none" : string.Join(", ", descriptor.Flavors.Keys.Order(StringComparer.Ordinal));
            throw MlopsException.Invalid($"The model package in '{folder}' has no {ModelFlavor.Onnx} flavor (ML.NET could not convert its pipeline to ONNX, or it was never exported); flavors present: {present}.");
        }

        var modelFile = flavor.GetProperty(ModelFlavor.OnnxModelKey) ?? ModelFlavor.OnnxModelFile;
        byte[] bytes;
        using (var stream = ModelPackage.OpenVerified(folder, descriptor, modelFile))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        try
        {
            var slotNames = OnnxSlotNames.Read(bytes);
            using var options = SessionOptionsForServing();
            return new LoadedOnnxModel(new InferenceSession(WithServedOutputsOnly(bytes, descriptor.Signature), options), descriptor, slotNames);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException)
        {
            // The bytes are the ones that were sealed, so this is a broken or incompatible model rather than tampering.
            throw MlopsException.Invalid($"{modelFile}: ONNX Runtime could not load the model: {e.Message}");
        }
    }

    /// <summary>The model without the graph outputs the signature does not name (see <see cref="OnnxGraphPruner"/>).</summary>
    private static byte[] WithServedOutputsOnly(byte[] model, ModelSignature? signature)
    {
        var graphOutputs = OnnxGraphPruner.OutputNames(model).ToHashSet(StringComparer.Ordinal);
        var served = (signature?.Outputs ?? [])
            .Select(o => OnnxOutput.GraphNameOf(o.Name, graphOutputs.Contains))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        // Without a served output there is nothing to prune for: the predictor refuses the model with a clearer message.
        return served.Count == 0 ? model : OnnxGraphPruner.KeepOutputs(model, served);
    }

    private static SessionOptions SessionOptionsForServing() => new()
    {
        // One thread per run: serving scores concurrent requests on their own threads, and a per-session pool would
        // oversubscribe the cores (and spin while waiting) under load. It also matches the ML.NET predictor, which
        // scores a batch on the calling thread.
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
}
