using System.Text.Json;
using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Training;

/// <summary>What a "train" job carries: the spec text and the folder its relative paths are relative to.</summary>
public sealed record TrainingJobPayload(string Spec, string? BasePath)
{
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string?> { ["spec"] = Spec, ["base_path"] = BasePath });

    public static TrainingJobPayload FromJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var spec = root.TryGetProperty("spec", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : throw MlopsException.Invalid("The train job payload has no 'spec' text.");
            var basePath = root.TryGetProperty("base_path", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            return new TrainingJobPayload(spec, basePath);
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"The train job payload is not valid JSON: {e.Message}");
        }
    }
}
