using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

/// <summary>One point of a metric. <see cref="Value"/> may be NaN or ±Infinity (sent as "NaN", "Infinity").</summary>
public sealed class MetricDto
{
    /// <summary>Creates an empty point (for deserialisation).</summary>
    public MetricDto()
    {
    }

    /// <summary>Creates a point.</summary>
    public MetricDto(string key, double value, long timestamp, long step)
    {
        Key = key;
        Value = value;
        Timestamp = timestamp;
        Step = step;
    }

    /// <summary>The metric name.</summary>
    public string? Key { get; set; }

    /// <summary>The value.</summary>
    public double? Value { get; set; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public long? Timestamp { get; set; }

    /// <summary>The training step (0 when not given).</summary>
    public long? Step { get; set; }

    /// <summary>Set only by the bulk history endpoint, which mixes runs.</summary>
    public string? RunId { get; set; }
}

/// <summary>A run's identity and lifecycle.</summary>
public sealed class RunInfoDto
{
    /// <summary>The run id (32 hex characters).</summary>
    public string RunId { get; set; } = "";

    /// <summary>The same id under MLflow's legacy name.</summary>
    public string? RunUuid { get; set; }

    /// <summary>The human-readable name.</summary>
    public string? RunName { get; set; }

    /// <summary>The experiment the run belongs to.</summary>
    [JsonConverter(typeof(LenientStringConverter))]
    public string ExperimentId { get; set; } = "";

    /// <summary>Who created the run.</summary>
    public string? UserId { get; set; }

    /// <summary>RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.</summary>
    public string Status { get; set; } = "RUNNING";

    /// <summary>Start, in milliseconds since the Unix epoch.</summary>
    public long? StartTime { get; set; }

    /// <summary>End, in milliseconds since the Unix epoch; null while running.</summary>
    public long? EndTime { get; set; }

    /// <summary>Root of the run's artifacts (<c>mlflow-artifacts:/&lt;exp&gt;/&lt;run&gt;/artifacts</c>).</summary>
    public string? ArtifactUri { get; set; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; set; } = "active";
}

/// <summary>The latest metric values, params and tags of a run.</summary>
public sealed class RunDataDto
{
    /// <summary>The latest value of each metric.</summary>
    public List<MetricDto>? Metrics { get; set; }

    /// <summary>Params.</summary>
    public List<KeyValueDto>? Params { get; set; }

    /// <summary>Tags.</summary>
    public List<KeyValueDto>? Tags { get; set; }
}

/// <summary>A dataset a run used.</summary>
public sealed class DatasetDto
{
    /// <summary>Name of the dataset.</summary>
    public string? Name { get; set; }

    /// <summary>Content digest.</summary>
    public string? Digest { get; set; }

    /// <summary>Kind of source (local, http, s3, ...).</summary>
    public string? SourceType { get; set; }

    /// <summary>Where the data came from (JSON).</summary>
    public string? Source { get; set; }

    /// <summary>Schema (JSON), optional.</summary>
    public string? Schema { get; set; }

    /// <summary>Profile (JSON), optional.</summary>
    public string? Profile { get; set; }
}

/// <summary>A dataset input with its tags (for example mlflow.data.context = training).</summary>
public sealed class DatasetInputDto
{
    /// <summary>Input tags.</summary>
    public List<KeyValueDto>? Tags { get; set; }

    /// <summary>The dataset.</summary>
    public DatasetDto? Dataset { get; set; }
}

/// <summary>A run's inputs.</summary>
public sealed class RunInputsDto
{
    /// <summary>Datasets used by the run.</summary>
    public List<DatasetInputDto>? DatasetInputs { get; set; }
}

/// <summary>A run as the MLflow REST API returns it.</summary>
public sealed class RunDto
{
    /// <summary>Identity and lifecycle.</summary>
    public RunInfoDto Info { get; set; } = new();

    /// <summary>Metrics, params and tags.</summary>
    public RunDataDto Data { get; set; } = new();

    /// <summary>Dataset inputs.</summary>
    public RunInputsDto? Inputs { get; set; }
}

/// <summary>A file or folder in an artifact listing.</summary>
public sealed class FileInfoDto
{
    /// <summary>Path (relative to the listed root).</summary>
    public string? Path { get; set; }

    /// <summary>True for folders.</summary>
    public bool IsDir { get; set; }

    /// <summary>Size in bytes (files only).</summary>
    public long? FileSize { get; set; }
}
