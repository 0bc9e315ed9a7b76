using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mlops.Domain.Tracking;

namespace Mlops.Server.Api.Mlflow;

/// <summary>
/// Writes the two largest MLflow responses (run search and metric history) straight from domain records to
/// the response body. Going through wire DTOs first costs an object per metric point and per param; at 50,000
/// history points or 1,000 runs that allocation is most of the request. The shape is the one the DTOs in
/// Mlops.Client.Contracts produce; the API tests check both paths against the same expectations.
/// </summary>
public static class MlflowJsonWriter
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static IResult Result(Action<Utf8JsonWriter> write) => new JsonWriterResult(write);

    public static void WriteHistory(Utf8JsonWriter writer, IReadOnlyList<Metric> metrics, string? nextPageToken)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("metrics");
        foreach (var metric in metrics)
        {
            WriteMetric(writer, metric);
        }

        writer.WriteEndArray();
        if (nextPageToken is not null)
        {
            writer.WriteString("next_page_token", nextPageToken);
        }

        writer.WriteEndObject();
    }

    public static void WriteRuns(Utf8JsonWriter writer, IReadOnlyList<Run> runs, string? nextPageToken)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("runs");
        foreach (var run in runs)
        {
            WriteRun(writer, run);
        }

        writer.WriteEndArray();
        if (nextPageToken is not null)
        {
            writer.WriteString("next_page_token", nextPageToken);
        }

        writer.WriteEndObject();
    }

    public static void WriteRunResponse(Utf8JsonWriter writer, Run run)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("run");
        WriteRun(writer, run);
        writer.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter writer, Run run)
    {
        var info = run.Info;
        writer.WriteStartObject();
        writer.WriteStartObject("info");
        writer.WriteString("run_id", info.RunId);
        writer.WriteString("run_uuid", info.RunId);
        writer.WriteString("run_name", info.RunName);
        writer.WriteString("experiment_id", info.ExperimentId);
        writer.WriteString("user_id", info.UserId);
        writer.WriteString("status", info.Status.ToWire());
        writer.WriteNumber("start_time", info.StartTime);
        if (info.EndTime is { } end)
        {
            writer.WriteNumber("end_time", end);
        }

        writer.WriteString("artifact_uri", info.ArtifactUri);
        writer.WriteString("lifecycle_stage", info.LifecycleStage.ToWire());
        writer.WriteEndObject();

        writer.WriteStartObject("data");
        if (run.LatestMetrics.Count > 0)
        {
            writer.WriteStartArray("metrics");
            foreach (var metric in run.LatestMetrics)
            {
                WriteMetric(writer, metric);
            }

            writer.WriteEndArray();
        }

        WritePairs(writer, "params", run.Params.Select(p => (p.Key, p.Value)), run.Params.Count);
        WritePairs(writer, "tags", run.Tags.Select(t => (t.Key, t.Value)), run.Tags.Count);
        writer.WriteEndObject();

        writer.WriteStartObject("inputs");
        if (run.Inputs.Count > 0)
        {
            writer.WriteStartArray("dataset_inputs");
            foreach (var input in run.Inputs)
            {
                writer.WriteStartObject();
                WritePairs(writer, "tags", input.Tags.Select(t => (t.Key, t.Value)), input.Tags.Count);
                var d = input.Dataset;
                writer.WriteStartObject("dataset");
                writer.WriteString("name", d.Name);
                writer.WriteString("digest", d.Digest);
                writer.WriteString("source_type", d.SourceType);
                writer.WriteString("source", d.Source);
                if (d.Schema is not null)
                {
                    writer.WriteString("schema", d.Schema);
                }

                if (d.Profile is not null)
                {
                    writer.WriteString("profile", d.Profile);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WritePairs(Utf8JsonWriter writer, string name, IEnumerable<(string Key, string Value)> pairs, int count)
    {
        if (count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var (key, value) in pairs)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteMetric(Utf8JsonWriter writer, Metric metric)
    {
        writer.WriteStartObject();
        writer.WriteString("key", metric.Key);
        writer.WritePropertyName("value");
        WriteDouble(writer, metric.Value);
        writer.WriteNumber("timestamp", metric.Timestamp);
        writer.WriteNumber("step", metric.Step);
        writer.WriteEndObject();
    }

    /// <summary>proto3 JSON spells the non-finite doubles as strings.</summary>
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private sealed class JsonWriterResult(Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, s_options))
            {
                write(writer);
            }

            await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
    }
}
