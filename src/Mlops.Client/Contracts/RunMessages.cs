using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

#pragma warning disable CS1591 // Wire messages mirror MLflow's protos field by field; the protos are their documentation.

public sealed class CreateRunRequest
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? ExperimentId { get; set; }

    public string? UserId { get; set; }

    public string? RunName { get; set; }

    public long? StartTime { get; set; }

    public List<KeyValueDto>? Tags { get; set; }
}

public sealed class RunResponse
{
    public RunDto? Run { get; set; }
}

public sealed class UpdateRunRequest
{
    public string? RunId { get; set; }

    public string? RunUuid { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Status { get; set; }

    public long? EndTime { get; set; }

    public string? RunName { get; set; }
}

public sealed class UpdateRunResponse
{
    public RunInfoDto? RunInfo { get; set; }
}

public sealed class RunIdRequest
{
    public string? RunId { get; set; }
}

public sealed class LogMetricRequest
{
    public string? RunId { get; set; }

    public string? RunUuid { get; set; }

    public string? Key { get; set; }

    public double? Value { get; set; }

    public long? Timestamp { get; set; }

    public long? Step { get; set; }
}

public sealed class KeyValueRequest
{
    public string? RunId { get; set; }

    public string? RunUuid { get; set; }

    public string? Key { get; set; }

    public string? Value { get; set; }
}

public sealed class DeleteTagRequest
{
    public string? RunId { get; set; }

    public string? Key { get; set; }
}

public sealed class LogBatchRequest
{
    public string? RunId { get; set; }

    public List<MetricDto>? Metrics { get; set; }

    public List<KeyValueDto>? Params { get; set; }

    public List<KeyValueDto>? Tags { get; set; }
}

public sealed class LogModelRequest
{
    public string? RunId { get; set; }

    public string? ModelJson { get; set; }
}

public sealed class LogInputsRequest
{
    public string? RunId { get; set; }

    public List<DatasetInputDto>? Datasets { get; set; }
}

public sealed class SearchRunsRequest
{
    [JsonConverter(typeof(LenientStringListConverter))]
    public List<string>? ExperimentIds { get; set; }

    public string? Filter { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? RunViewType { get; set; }

    public long? MaxResults { get; set; }

    public List<string>? OrderBy { get; set; }

    public string? PageToken { get; set; }
}

public sealed class SearchRunsResponse
{
    public List<RunDto>? Runs { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class MetricHistoryResponse
{
    public List<MetricDto>? Metrics { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class ListArtifactsResponse
{
    public string? RootUri { get; set; }

    public List<FileInfoDto>? Files { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class ErrorResponse
{
    public string? ErrorCode { get; set; }

    public string? Message { get; set; }
}
