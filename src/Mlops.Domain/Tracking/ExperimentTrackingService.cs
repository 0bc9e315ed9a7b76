using System.Text.RegularExpressions;
using Mlops.Domain.Common;

namespace Mlops.Domain.Tracking;

/// <summary>
/// The tracking rules that hold whatever the caller: names, key grammar, lengths and batch limits.
/// Pure functions; the application layer calls them before it touches a store.
/// </summary>
public static partial class ExperimentTrackingService
{
    [GeneratedRegex(@"^[/\w.\- ]*\z")]
    private static partial Regex KeyGrammar();

    [GeneratedRegex(@"^[a-zA-Z0-9][\w\-]{0,255}\z")]
    private static partial Regex RunIdGrammar();

    public static void ValidateMetricKey(string? key, string path = "key") => ValidateKey(key, "metric", path);

    public static void ValidateParamKey(string? key, string path = "key") => ValidateKey(key, "param", path);

    public static void ValidateTagKey(string? key, string path = "key") => ValidateKey(key, "tag", path);

    public static void ValidateRunId(string? runId)
    {
        if (string.IsNullOrEmpty(runId) || !RunIdGrammar().IsMatch(runId))
        {
            throw MlopsException.Invalid($"Invalid run id '{Shorten(runId)}': a run id starts with a letter or digit and contains only letters, digits, '_' and '-' (at most 256 characters).");
        }
    }

    public static void ValidateExperimentName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw MlopsException.Invalid("Invalid experiment name: it must be a non-empty string.");
        }

        if (name.Length > TrackingLimits.MaxExperimentNameLength)
        {
            throw MlopsException.Invalid($"Invalid experiment name: it is {name.Length} characters long; the limit is {TrackingLimits.MaxExperimentNameLength}.");
        }
    }

    public static void ValidateRunName(string? name)
    {
        if (name is not null && name.Length > TrackingLimits.MaxRunNameLength)
        {
            throw MlopsException.Invalid($"Invalid run name: it is {name.Length} characters long; the limit is {TrackingLimits.MaxRunNameLength}.");
        }
    }

    public static void ValidateUserId(string? userId)
    {
        if (userId is not null && userId.Length > TrackingLimits.MaxUserIdLength)
        {
            throw MlopsException.Invalid($"Invalid user id: it is {userId.Length} characters long; the limit is {TrackingLimits.MaxUserIdLength}.");
        }
    }

    public static void ValidateTag(Tag tag, string path = "tag")
    {
        ValidateTagKey(tag.Key, path + ".key");
        ValidateValueLength(tag.Value, TrackingLimits.MaxTagValueLength, path + ".value", tag.Key);
    }

    public static void ValidateExperimentTag(Tag tag, string path = "tag")
    {
        ValidateTagKey(tag.Key, path + ".key");
        ValidateValueLength(tag.Value, TrackingLimits.MaxExperimentTagValueLength, path + ".value", tag.Key);
    }

    public static void ValidateParam(Param param, string path = "param")
    {
        ValidateParamKey(param.Key, path + ".key");
        ValidateValueLength(param.Value, TrackingLimits.MaxParamValueLength, path + ".value", param.Key);
    }

    public static void ValidateMetric(Metric metric, string path = "metric")
    {
        ValidateMetricKey(metric.Key, path + ".key");
        if (metric.Timestamp < 0)
        {
            throw MlopsException.Invalid($"Invalid {path}.timestamp {metric.Timestamp} for metric '{metric.Key}': timestamps are milliseconds since the Unix epoch and cannot be negative.");
        }
    }

    /// <summary>
    /// Checks limits, keys and values of a batch and returns it with params de-duplicated
    /// (the same key with the same value twice is one param; with two values it is an error).
    /// </summary>
    public static LogBatch ValidateBatch(LogBatch batch)
    {
        ValidateRunId(batch.RunId);
        CheckCount(batch.Metrics.Count, TrackingLimits.MaxMetricsPerBatch, "metrics");
        CheckCount(batch.Params.Count, TrackingLimits.MaxParamsPerBatch, "params");
        CheckCount(batch.Tags.Count, TrackingLimits.MaxTagsPerBatch, "tags");
        var total = batch.Metrics.Count + batch.Params.Count + batch.Tags.Count;
        if (total > TrackingLimits.MaxEntitiesPerBatch)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"A batch logging request can contain at most {TrackingLimits.MaxEntitiesPerBatch} metrics, params and tags in total; got {total}.");
        }

        // A training loop logs few distinct keys many times; check each key's grammar once per batch.
        var validKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Metrics.Count; i++)
        {
            var metric = batch.Metrics[i];
            if (!validKeys.Contains(metric.Key ?? ""))
            {
                ValidateMetricKey(metric.Key, $"metrics[{i}].key");
                validKeys.Add(metric.Key!);
            }

            if (metric.Timestamp < 0)
            {
                ValidateMetric(metric, $"metrics[{i}]");
            }
        }

        for (var i = 0; i < batch.Tags.Count; i++)
        {
            ValidateTag(batch.Tags[i], $"tags[{i}]");
        }

        if (batch.Params.Count == 0)
        {
            return batch;
        }

        var unique = new Dictionary<string, string>(batch.Params.Count, StringComparer.Ordinal);
        var distinct = new List<Param>(batch.Params.Count);
        for (var i = 0; i < batch.Params.Count; i++)
        {
            var param = batch.Params[i];
            ValidateParam(param, $"params[{i}]");
            if (unique.TryGetValue(param.Key, out var earlier))
            {
                if (earlier != param.Value)
                {
                    throw MlopsException.Invalid($"Duplicate parameter key '{param.Key}' in the batch with different values ('{Shorten(earlier)}' and '{Shorten(param.Value)}').");
                }

                continue;
            }

            unique.Add(param.Key, param.Value);
            distinct.Add(param);
        }

        return distinct.Count == batch.Params.Count ? batch : batch with { Params = distinct };
    }

    /// <summary>The message for a param logged again with a different value (params are write-once).</summary>
    public static MlopsException ParamChanged(string runId, string key, string oldValue, string newValue) =>
        MlopsException.Invalid($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{Shorten(oldValue)}' for run ID='{runId}'. Attempted logging new value '{Shorten(newValue)}'.");

    public static MlopsException RunNotActive(string runId) =>
        MlopsException.Invalid($"The run {runId} must be in the 'active' state. Current state is deleted.");

    private static void ValidateKey(string? key, string kind, string path)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{path}': the {kind} key must be a non-empty string.");
        }

        if (key.Length > TrackingLimits.MaxKeyLength)
        {
            throw MlopsException.Invalid($"Invalid {kind} key at {path}: it is {key.Length} characters long; the limit is {TrackingLimits.MaxKeyLength}.");
        }

        if (!KeyGrammar().IsMatch(key))
        {
            throw MlopsException.Invalid($"Invalid {kind} key '{Shorten(key)}' at {path}: keys may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/).");
        }

        if (!IsNormalRelativePath(key))
        {
            throw MlopsException.Invalid($"Invalid {kind} key '{key}' at {path}: keys are also used as file paths, so they cannot start or end with '/', contain '//', or consist of '.' or '..' segments.");
        }
    }

    private static bool IsNormalRelativePath(string key)
    {
        if (key.StartsWith('/') || key.EndsWith('/') || key.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateValueLength(string? value, int limit, string path, string key)
    {
        if (value is null)
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{path}' (key '{key}').");
        }

        if (value.Length > limit)
        {
            throw MlopsException.Invalid($"Value at {path} for key '{key}' is {value.Length} characters long; the limit is {limit}.");
        }
    }

    private static void CheckCount(int count, int limit, string what)
    {
        if (count > limit)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"A batch logging request can contain at most {limit} {what}; got {count}.");
        }
    }

    internal static string Shorten(string? value) => value is null ? "" : value.Length <= 100 ? value : value[..100] + "...";
}
