using System.Text.Json;
using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Training;

/// <summary>The study trial a training job evaluates, and the study's parent run its run nests under.</summary>
public sealed record TrialReference(long StudyId, int Number, string? ParentRunId);

/// <summary>What a "train" job carries: the spec text, the folder its relative paths are relative to, and the trial when it is one.</summary>
public sealed record TrainingJobPayload(string Spec, string? BasePath, TrialReference? Trial = null)
{
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["spec"] = Spec,
        ["base_path"] = BasePath,
        ["study_id"] = Trial?.StudyId,
        ["trial_number"] = Trial?.Number,
        ["parent_run_id"] = Trial?.ParentRunId,
    });

    public static TrainingJobPayload FromJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var spec = root.TryGetProperty("spec", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : throw MlopsException.Invalid("The train job payload has no 'spec' text.");
            var basePath = root.TryGetProperty("base_path", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            var trial = root.TryGetProperty("study_id", out var study) && study.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("trial_number", out var number) && number.ValueKind == JsonValueKind.Number
                ? new TrialReference(study.GetInt64(), number.GetInt32(),
                    root.TryGetProperty("parent_run_id", out var parent) && parent.ValueKind == JsonValueKind.String ? parent.GetString() : null)
                : null;
            return new TrainingJobPayload(spec, basePath, trial);
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"The train job payload is not valid JSON: {e.Message}");
        }
    }
}
