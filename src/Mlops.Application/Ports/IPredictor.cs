using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Application.Ports;

/// <summary>
/// A loaded model that scores batches. Implementations are thread-safe: one instance serves concurrent requests.
/// </summary>
public interface IPredictor : IDisposable
{
    /// <summary>The model's input and output columns, as recorded in its MLmodel signature.</summary>
    ModelSignature Signature { get; }

    /// <summary>Scores every row of the batch; the result has one value per row in each output column.</summary>
    ScoringResult Predict(ScoringBatch batch);
}

/// <summary>Loads a verified model package folder (MLmodel + flavor files) into a predictor.</summary>
public interface IModelRuntime
{
    IPredictor Load(string packageFolder, string? expectedMlModelSha256);
}
