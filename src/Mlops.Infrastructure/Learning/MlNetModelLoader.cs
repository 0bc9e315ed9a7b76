using Microsoft.ML;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Learning;

/// <summary>
/// Loads an ML.NET model from a model package. The package is verified first and the model file is read from the
/// same handle its hash was checked on, so a tampered package never reaches ML.NET's deserializer.
/// </summary>
public sealed class MlNetModelLoader(MLContext ml)
{
    /// <param name="expectedMlModelSha256">The MLmodel hash recorded at registration, when the caller has one.</param>
    public LoadedMlNetModel Load(string folder, string? expectedMlModelSha256 = null)
    {
        var descriptor = ModelPackage.Verify(folder, expectedMlModelSha256);
        if (!descriptor.Flavors.TryGetValue(ModelFlavor.MlNet, out var flavor))
        {
            var present = descriptor.Flavors.Count == 0 ? "none" : string.Join(", ", descriptor.Flavors.Keys.Order(StringComparer.Ordinal));
            throw MlopsException.Invalid($"The model package in '{folder}' has no {ModelFlavor.MlNet} flavor; flavors present: {present}.");
        }

        var modelFile = flavor.GetProperty(ModelFlavor.MlNetModelFileKey) ?? ModelFlavor.MlNetModelFile;
        using var stream = ModelPackage.OpenVerified(folder, descriptor, modelFile);
        try
        {
            var model = ml.Model.Load(stream, out var inputSchema);
            return new LoadedMlNetModel(model, inputSchema, descriptor);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException or EndOfStreamException)
        {
            // The bytes are the ones that were sealed, so this is a broken or incompatible model rather than tampering.
            throw MlopsException.Invalid($"{modelFile}: ML.NET could not load the model: {e.Message}");
        }
    }
}
