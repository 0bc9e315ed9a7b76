using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

#pragma warning disable CS1591 // Wire messages mirror MLflow's model_registry.proto field by field; the proto is their documentation.

public sealed class RegisteredModelDto
{
    public string Name { get; set; } = "";

    public long? CreationTimestamp { get; set; }

    public long? LastUpdatedTimestamp { get; set; }

    public string? Description { get; set; }

    public List<ModelVersionDto>? LatestVersions { get; set; }

    public List<KeyValueDto>? Tags { get; set; }

    public List<ModelAliasDto>? Aliases { get; set; }
}

public sealed class ModelAliasDto
{
    public string? Alias { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Version { get; set; }
}

public sealed class ModelVersionDto
{
    public string Name { get; set; } = "";

    [JsonConverter(typeof(LenientStringConverter))]
    public string Version { get; set; } = "";

    public long? CreationTimestamp { get; set; }

    public long? LastUpdatedTimestamp { get; set; }

    public string? UserId { get; set; }

    public string? CurrentStage { get; set; }

    public string? Description { get; set; }

    public string? Source { get; set; }

    public string? RunId { get; set; }

    public string? Status { get; set; }

    public string? StatusMessage { get; set; }

    public List<KeyValueDto>? Tags { get; set; }

    public string? RunLink { get; set; }

    public List<string>? Aliases { get; set; }
}

/// <summary>One message for every registry request: each endpoint reads the fields its proto defines.</summary>
public sealed class RegistryRequest
{
    public string? Name { get; set; }

    public string? NewName { get; set; }

    public string? Description { get; set; }

    public List<KeyValueDto>? Tags { get; set; }

    public List<string>? Stages { get; set; }

    public string? Source { get; set; }

    public string? RunId { get; set; }

    public string? RunLink { get; set; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Version { get; set; }

    public string? Stage { get; set; }

    public bool? ArchiveExistingVersions { get; set; }

    public string? Key { get; set; }

    public string? Value { get; set; }

    public string? Alias { get; set; }
}

public sealed class RegisteredModelResponse
{
    public RegisteredModelDto? RegisteredModel { get; set; }
}

public sealed class SearchRegisteredModelsResponse
{
    public List<RegisteredModelDto>? RegisteredModels { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class ModelVersionResponse
{
    public ModelVersionDto? ModelVersion { get; set; }
}

public sealed class ModelVersionsResponse
{
    public List<ModelVersionDto>? ModelVersions { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class DownloadUriResponse
{
    public string? ArtifactUri { get; set; }
}
