namespace Mlops.Client.Contracts;

#pragma warning disable CS1591 // Field names follow the MLflow messages they embed.

/// <summary>Where a model version came from (native API, /api/v1/models/{name}/versions/{version}/lineage).</summary>
public sealed class ModelLineageResponse
{
    public ModelVersionDto? ModelVersion { get; set; }

    public RunDto? Run { get; set; }

    public ExperimentDto? Experiment { get; set; }

    /// <summary>The signature recorded in the version's MLmodel, when it has one.</summary>
    public SignatureDto? Signature { get; set; }
}

public sealed class SignatureDto
{
    public List<ColumnSpecDto>? Inputs { get; set; }

    public List<ColumnSpecDto>? Outputs { get; set; }
}

public sealed class ColumnSpecDto
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public bool Required { get; set; } = true;
}

/// <summary>A model URI resolved by the server (native API, /api/v1/model-uris/resolve).</summary>
public sealed class ResolvedModelResponse
{
    public string? Uri { get; set; }

    /// <summary>mlflow-artifacts:/... folder holding the model's files.</summary>
    public string? ArtifactUri { get; set; }

    /// <summary>The same folder as a path for /api/2.0/mlflow-artifacts/artifacts/{path}.</summary>
    public string? ArtifactPath { get; set; }

    public ModelVersionDto? ModelVersion { get; set; }

    public string? RunId { get; set; }
}

public sealed class RegistryAuditEntryDto
{
    public long Time { get; set; }

    public string? Action { get; set; }

    public string? Name { get; set; }

    public long? Version { get; set; }

    public string? Detail { get; set; }
}

public sealed class RegistryAuditResponse
{
    public List<RegistryAuditEntryDto>? Entries { get; set; }
}

public sealed class JobDto
{
    public long Id { get; set; }

    public string? Kind { get; set; }

    public string? Queue { get; set; }

    public int Priority { get; set; }

    public string? Payload { get; set; }

    public string? Status { get; set; }

    public int Attempts { get; set; }

    public int MaxAttempts { get; set; }

    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    public long? HeartbeatAt { get; set; }

    public double Progress { get; set; }

    public string? ProgressMessage { get; set; }

    public bool CancelRequested { get; set; }

    public long CreatedAt { get; set; }

    public long? StartedAt { get; set; }

    public long? FinishedAt { get; set; }

    public string? Result { get; set; }

    public string? Error { get; set; }
}

public sealed class SubmitJobRequest
{
    public string? Kind { get; set; }

    /// <summary>The job's input as JSON (an object for the built-in kinds).</summary>
    public System.Text.Json.JsonElement? Payload { get; set; }

    public string? Queue { get; set; }

    public int? Priority { get; set; }

    public int? MaxAttempts { get; set; }

    public int? BackoffSeconds { get; set; }
}

public sealed class JobResponse
{
    public JobDto? Job { get; set; }
}

public sealed class JobsResponse
{
    public List<JobDto>? Jobs { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class JobLogLineDto
{
    public long Sequence { get; set; }

    public long Time { get; set; }

    public string? Text { get; set; }
}

public sealed class JobLogResponse
{
    public List<JobLogLineDto>? Lines { get; set; }

    /// <summary>Pass back as <c>after</c> to get only newer lines.</summary>
    public long LastSequence { get; set; }

    public string? Status { get; set; }
}

public sealed class TrainRequest
{
    /// <summary>The training spec, YAML or JSON text.</summary>
    public string? Spec { get; set; }

    /// <summary>Folder that relative dataset paths in the spec are relative to (on the worker's machine).</summary>
    public string? BasePath { get; set; }

    public int? MaxAttempts { get; set; }
}
