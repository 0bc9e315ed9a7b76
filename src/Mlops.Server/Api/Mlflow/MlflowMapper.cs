using Mlops.Application.Ports;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;

namespace Mlops.Server.Api.Mlflow;

/// <summary>Hand-written conversions between domain records and MLflow wire messages.</summary>
public static class MlflowMapper
{
    public static ExperimentDto ToDto(this Experiment e) => new()
    {
        ExperimentId = e.ExperimentId,
        Name = e.Name,
        ArtifactLocation = e.ArtifactLocation,
        LifecycleStage = e.LifecycleStage.ToWire(),
        CreationTime = e.CreationTime,
        LastUpdateTime = e.LastUpdateTime,
        Tags = e.Tags.Count == 0 ? null : e.Tags.Select(t => new KeyValueDto(t.Key, t.Value)).ToList(),
    };

    public static RunInfoDto ToDto(this RunInfo info) => new()
    {
        RunId = info.RunId,
        RunUuid = info.RunId,
        RunName = info.RunName,
        ExperimentId = info.ExperimentId,
        UserId = info.UserId,
        Status = info.Status.ToWire(),
        StartTime = info.StartTime,
        EndTime = info.EndTime,
        ArtifactUri = info.ArtifactUri,
        LifecycleStage = info.LifecycleStage.ToWire(),
    };

    public static RunDto ToDto(this Run run) => new()
    {
        Info = run.Info.ToDto(),
        Data = new RunDataDto
        {
            Metrics = run.LatestMetrics.Count == 0 ? null : run.LatestMetrics.Select(ToDto).ToList(),
            Params = run.Params.Count == 0 ? null : run.Params.Select(p => new KeyValueDto(p.Key, p.Value)).ToList(),
            Tags = run.Tags.Count == 0 ? null : run.Tags.Select(t => new KeyValueDto(t.Key, t.Value)).ToList(),
        },
        Inputs = new RunInputsDto
        {
            DatasetInputs = run.Inputs.Count == 0 ? null : run.Inputs.Select(i => new DatasetInputDto
            {
                Tags = i.Tags.Count == 0 ? null : i.Tags.Select(t => new KeyValueDto(t.Key, t.Value)).ToList(),
                Dataset = new DatasetDto
                {
                    Name = i.Dataset.Name,
                    Digest = i.Dataset.Digest,
                    SourceType = i.Dataset.SourceType,
                    Source = i.Dataset.Source,
                    Schema = i.Dataset.Schema,
                    Profile = i.Dataset.Profile,
                },
            }).ToList(),
        },
    };

    public static RegisteredModelDto ToDto(this RegisteredModel m) => new()
    {
        Name = m.Name,
        CreationTimestamp = m.CreationTime,
        LastUpdatedTimestamp = m.LastUpdatedTime,
        Description = m.Description,
        LatestVersions = m.LatestVersions.Count == 0 ? null : m.LatestVersions.Select(ToDto).ToList(),
        Tags = m.Tags.Count == 0 ? null : m.Tags.Select(t => new KeyValueDto(t.Key, t.Value)).ToList(),
        Aliases = m.Aliases.Count == 0 ? null : m.Aliases.Select(a => new ModelAliasDto { Alias = a.Alias, Version = a.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList(),
    };

    public static ModelVersionDto ToDto(this ModelVersion v) => new()
    {
        Name = v.Name,
        Version = v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        CreationTimestamp = v.CreationTime,
        LastUpdatedTimestamp = v.LastUpdatedTime,
        UserId = v.UserId,
        CurrentStage = v.CurrentStage.ToWire(),
        Description = v.Description,
        Source = v.Source,
        RunId = v.RunId,
        Status = v.Status,
        Tags = v.Tags.Count == 0 ? null : v.Tags.Select(t => new KeyValueDto(t.Key, t.Value)).ToList(),
        RunLink = v.RunLink,
        Aliases = v.Aliases.Count == 0 ? null : v.Aliases.ToList(),
    };

    public static MetricDto ToDto(this Metric m) => new(m.Key, m.Value, m.Timestamp, m.Step);

    public static FileInfoDto ToDto(this ArtifactEntry e) => new() { Path = e.Path, IsDir = e.IsDirectory, FileSize = e.FileSize };

    public static List<Tag> ToTags(List<KeyValueDto>? items, string field)
    {
        if (items is null)
        {
            return [];
        }

        var tags = new List<Tag>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw MlopsException.Invalid($"{field}[{i}] must be an object with key and value.");
            tags.Add(new Tag(MlflowRequest.Required(item.Key, $"{field}[{i}].key"), item.Value ?? throw MlopsException.Invalid($"Missing value for required parameter '{field}[{i}].value'.")));
        }

        return tags;
    }

    public static List<Param> ToParams(List<KeyValueDto>? items)
    {
        if (items is null)
        {
            return [];
        }

        var result = new List<Param>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw MlopsException.Invalid($"params[{i}] must be an object with key and value.");
            result.Add(new Param(MlflowRequest.Required(item.Key, $"params[{i}].key"), item.Value ?? throw MlopsException.Invalid($"Missing value for required parameter 'params[{i}].value'.")));
        }

        return result;
    }

    public static List<Metric> ToMetrics(List<MetricDto>? items)
    {
        if (items is null)
        {
            return [];
        }

        var result = new List<Metric>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw MlopsException.Invalid($"metrics[{i}] must be an object with key, value and timestamp.");
            result.Add(new Metric(
                MlflowRequest.Required(item.Key, $"metrics[{i}].key"),
                MlflowRequest.Required(item.Value, $"metrics[{i}].value"),
                MlflowRequest.Required(item.Timestamp, $"metrics[{i}].timestamp"),
                item.Step ?? 0));
        }

        return result;
    }

    public static List<DatasetInput> ToInputs(List<DatasetInputDto>? items)
    {
        if (items is null)
        {
            return [];
        }

        var result = new List<DatasetInput>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var d = items[i]?.Dataset ?? throw MlopsException.Invalid($"Missing value for required parameter 'datasets[{i}].dataset'.");
            result.Add(new DatasetInput(
                new Dataset(d.Name ?? "", d.Digest ?? "", d.SourceType ?? "", d.Source ?? "", d.Schema, d.Profile),
                ToTags(items[i].Tags, $"datasets[{i}].tags")));
        }

        return result;
    }
}
