using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

/// <summary>An experiment as the MLflow REST API returns it.</summary>
public sealed class ExperimentDto
{
    /// <summary>The experiment id (decimal digits, as a string).</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string ExperimentId { get; set; } = "";

    /// <summary>The unique experiment name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Where runs of this experiment keep their artifacts (<c>mlflow-artifacts:/...</c>).</summary>
    public string? ArtifactLocation { get; set; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; set; } = "active";

    /// <summary>Last change, in milliseconds since the Unix epoch.</summary>
    public long? LastUpdateTime { get; set; }

    /// <summary>Creation, in milliseconds since the Unix epoch.</summary>
    public long? CreationTime { get; set; }

    /// <summary>Experiment tags.</summary>
    public List<KeyValueDto>? Tags { get; set; }
}

/// <summary>A key/value pair: a param or a tag.</summary>
public sealed class KeyValueDto
{
    /// <summary>Creates an empty pair (for deserialisation).</summary>
    public KeyValueDto()
    {
    }

    /// <summary>Creates a pair.</summary>
    public KeyValueDto(string key, string value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The key.</summary>
    public string? Key { get; set; }

    /// <summary>The value.</summary>
    public string? Value { get; set; }
}
