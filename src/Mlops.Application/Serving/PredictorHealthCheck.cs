using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Domain.Common;

namespace Mlops.Application.Serving;

/// <summary>
/// Scores a package's own input example before the model takes traffic: a model that does not load, or whose
/// signature does not accept its own example, never serves. Packages without an example pass.
/// </summary>
public static class PredictorHealthCheck
{
    public const string InputExampleFile = "input_example.json";

    public static void Run(IPredictor predictor, string packageFolder)
    {
        var example = Path.Combine(packageFolder, InputExampleFile);
        if (!File.Exists(example))
        {
            return;
        }

        try
        {
            // The example is stored in pandas' "split" orientation, as MLflow stores it.
            using var document = JsonDocument.Parse(File.ReadAllBytes(example));
            var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, JsonElement> { ["dataframe_split"] = document.RootElement });
            var batch = ScoringRequestParser.Parse(body, "application/json", ScoringSchema.From(predictor.Signature), 10);
            var result = predictor.Predict(batch);
            if (result.RowCount != batch.RowCount)
            {
                throw new InvalidOperationException($"the model answered {result.RowCount} rows for {batch.RowCount}");
            }
        }
        catch (Exception e) when (e is MlopsException or InvalidOperationException or ArgumentException or FormatException or JsonException)
        {
            throw MlopsException.Invalid($"The model failed its health check on its own input example: {e.Message}");
        }
    }
}
