using Mlops.Domain.Common;

namespace Mlops.Domain.Registry;

/// <summary>MLflow's (deprecated but widely used) model version stages.</summary>
public enum ModelStage
{
    None,
    Staging,
    Production,
    Archived,
}

public static class ModelStages
{
    public static string ToWire(this ModelStage stage) => stage.ToString();

    public static bool TryParse(string? value, out ModelStage stage)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case "NONE":
                stage = ModelStage.None;
                return true;
            case "STAGING":
                stage = ModelStage.Staging;
                return true;
            case "PRODUCTION":
                stage = ModelStage.Production;
                return true;
            case "ARCHIVED":
                stage = ModelStage.Archived;
                return true;
            default:
                stage = ModelStage.None;
                return false;
        }
    }

    public static ModelStage Parse(string? value) =>
        TryParse(value, out var stage) ? stage
        : throw MlopsException.Invalid($"Invalid model version stage '{value}'. Expected one of None, Staging, Production, Archived.");
}
