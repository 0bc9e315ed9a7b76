namespace Mlops.Client.Contracts;

#pragma warning disable CS1591 // Plain wire fields; the meaningful ones carry docs.

/// <summary>Deploys a model to an endpoint (created when missing): it becomes the only live revision once healthy.</summary>
public sealed class DeployRequest
{
    public string? Name { get; set; }

    /// <summary>models:/name@alias, models:/name/version, models:/name/stage or runs:/run-id/path.</summary>
    public string? ModelUri { get; set; }

    public string? Reason { get; set; }

    /// <summary>Who makes the change, for the endpoint's history.</summary>
    public string? User { get; set; }

    /// <summary>Requests the revision scores at once (1 to 64; default: one per server core).</summary>
    public int? Replicas { get; set; }
}

/// <summary>A canary: a new revision at <see cref="Percent"/> % of traffic.</summary>
public sealed class CanaryRequest
{
    public string? ModelUri { get; set; }

    public int? Percent { get; set; }

    public int? Replicas { get; set; }

    public string? Reason { get; set; }

    public string? User { get; set; }
}

/// <summary>Promote, rollback or undeploy: who and why (and for promote, optionally which revision).</summary>
public sealed class EndpointChangeRequest
{
    public int? Revision { get; set; }

    public string? Reason { get; set; }

    public string? User { get; set; }
}

/// <summary>A shadow: a new revision that scores a copy of every request; its answers are logged, never returned.</summary>
public sealed class ShadowRequest
{
    public string? ModelUri { get; set; }

    public int? Replicas { get; set; }

    public string? Reason { get; set; }

    public string? User { get; set; }
}

/// <summary>Scales a revision (the primary when none is named) to <see cref="Replicas"/> concurrent requests.</summary>
public sealed class ScaleRequest
{
    public int? Revision { get; set; }

    public int? Replicas { get; set; }

    public string? Reason { get; set; }

    public string? User { get; set; }
}

/// <summary>Changes an endpoint's settings; a missing field keeps its value.</summary>
public sealed class EndpointSettingsRequest
{
    /// <summary>Share of requests written to the prediction log, 0 to 1.</summary>
    public double? LogSampleRate { get; set; }

    /// <summary>Redeploy when the primary's alias (or stage) moves to another version.</summary>
    public bool? FollowAlias { get; set; }

    public string? Reason { get; set; }

    public string? User { get; set; }
}

public sealed class EndpointSettingsDto
{
    public double LogSampleRate { get; set; }

    public bool FollowAlias { get; set; }
}

/// <summary>One logged answer; inputs and outputs are dataframe_split JSON (first 100 rows).</summary>
public sealed class PredictionDto
{
    public int Revision { get; set; }

    /// <summary>primary, canary or shadow.</summary>
    public string? Role { get; set; }

    public string? RequestId { get; set; }

    public long At { get; set; }

    public long ModelMicroseconds { get; set; }

    public int Rows { get; set; }

    public System.Text.Json.JsonElement? Inputs { get; set; }

    public System.Text.Json.JsonElement? Outputs { get; set; }

    public string? Error { get; set; }
}

public sealed class PredictionsResponse
{
    public List<PredictionDto>? Predictions { get; set; }

    public string? NextPageToken { get; set; }
}

/// <summary>A shadow's answers against the live answers to the same requests.</summary>
public sealed class ShadowComparisonDto
{
    public string? Endpoint { get; set; }

    public int Shadow { get; set; }

    public long Paired { get; set; }

    public long ShadowErrors { get; set; }

    /// <summary>Share of rows whose first output (the label or predicted value) is equal; null with no pairs.</summary>
    public double? Agreement { get; set; }

    public Dictionary<string, double>? MeanAbsoluteDifference { get; set; }

    public double? LiveModelMicrosecondsP50 { get; set; }

    public double? ShadowModelMicrosecondsP50 { get; set; }
}

public sealed class EndpointDto
{
    public string? Name { get; set; }

    /// <summary>active or deleted.</summary>
    public string? State { get; set; }

    public long CreatedAt { get; set; }

    public EndpointSettingsDto? Settings { get; set; }

    /// <summary>The live revisions and their share of traffic (summing to 100).</summary>
    public List<TrafficShareDto>? Traffic { get; set; }

    public List<RevisionDto>? Revisions { get; set; }

    public List<EndpointChangeDto>? History { get; set; }
}

public sealed class TrafficShareDto
{
    public int Revision { get; set; }

    public int Percent { get; set; }
}

public sealed class RevisionDto
{
    public int Number { get; set; }

    public string? ModelUri { get; set; }

    /// <summary>The registered version the URI resolved to at deployment.</summary>
    public string? ModelName { get; set; }

    public long? ModelVersion { get; set; }

    /// <summary>primary, canary or shadow.</summary>
    public string? Role { get; set; }

    public int Weight { get; set; }

    public int Replicas { get; set; }

    /// <summary>pending, live, failed or retired.</summary>
    public string? State { get; set; }

    public long CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public string? Reason { get; set; }

    public int? RestoredFrom { get; set; }

    public string? Error { get; set; }
}

public sealed class EndpointChangeDto
{
    public int Sequence { get; set; }

    public string? Kind { get; set; }

    public int? Revision { get; set; }

    public long At { get; set; }

    public string? By { get; set; }

    public string? Reason { get; set; }

    public string? Detail { get; set; }
}

public sealed class EndpointResponse
{
    public EndpointDto? Endpoint { get; set; }
}

public sealed class EndpointsResponse
{
    public List<EndpointDto>? Endpoints { get; set; }

    public string? NextPageToken { get; set; }
}
