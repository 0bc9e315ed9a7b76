using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

#pragma warning disable CS1591 // Wire messages mirror MLflow's protos field by field; the protos are their documentation.

public sealed class CreateExperimentRequest
{
    public string? Name { get; set; }

    public string? ArtifactLocation { get; set; }

    public List<KeyValueDto>? Tags { get; set; }
}

public sealed class CreateExperimentResponse
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string ExperimentId { get; set; } = "";
}

public sealed class ExperimentResponse
{
    public ExperimentDto? Experiment { get; set; }
}

public sealed class ExperimentIdRequest
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? ExperimentId { get; set; }
}

public sealed class UpdateExperimentRequest
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? ExperimentId { get; set; }

    public string? NewName { get; set; }
}

public sealed class SetExperimentTagRequest
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? ExperimentId { get; set; }

    public string? Key { get; set; }

    public string? Value { get; set; }
}

public sealed class SearchExperimentsRequest
{
    public long? MaxResults { get; set; }

    public string? PageToken { get; set; }

    public string? Filter { get; set; }

    public List<string>? OrderBy { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? ViewType { get; set; }
}

public sealed class SearchExperimentsResponse
{
    public List<ExperimentDto>? Experiments { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class EmptyResponse;
