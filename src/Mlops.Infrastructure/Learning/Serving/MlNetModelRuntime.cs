using Microsoft.ML;
using Mlops.Application.Ports;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>
/// Loads ML.NET model packages for serving: the package is verified (against the registered MLmodel hash when one is
/// given) before ML.NET reads the model, and the model becomes an <see cref="MlNetPredictor"/>.
/// </summary>
public sealed class MlNetModelRuntime : IModelRuntime
{
    public IPredictor Load(string packageFolder, string? expectedMlModelSha256)
    {
        // A context per model: the model keeps the context's environment for its whole life, and contexts are
        // cheap, so models loaded side by side share no mutable state.
        var loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(packageFolder, expectedMlModelSha256);
        return new MlNetPredictor(loaded);
    }
}
