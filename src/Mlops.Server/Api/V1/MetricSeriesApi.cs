using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Tracking;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Api.V1;

/// <summary>Downsampled metric series for charts: the web interface draws 1,000,000 steps from a few hundred points.</summary>
public static class MetricSeriesApi
{
    public static RouteGroupBuilder MapMetricSeriesApi(this RouteGroupBuilder group)
    {
        group.MapGet("/runs/{runId}/metrics/{key}/series", GetSeries)
            .WithTags("Runs")
            .WithSummary("A metric downsampled to at most `points` points (min and max per step bucket); min_step and max_step zoom in.");
        return group;
    }

    public static async Task<IResult> GetSeries(string runId, string key, HttpContext context, GetMetricSeriesUseCase useCase)
    {
        var points = MlflowRequest.QueryInt64(context, "points");
        var series = await useCase.ExecuteAsync(
            runId,
            key,
            points is { } p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
            MlflowRequest.QueryInt64(context, "min_step"),
            MlflowRequest.QueryInt64(context, "max_step"),
            context.RequestAborted);
        return new SeriesResult(runId, key, series);
    }

    /// <summary>
    /// Written by hand in columns (step[], timestamp[], value[]): the shape plotting libraries take, half the
    /// bytes of an array of objects, and no reflection-based serializer on a hot path.
    /// </summary>
    private sealed class SeriesResult(string runId, string key, MetricSeries series) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.Headers.CacheControl = "no-store";
            await using var json = new Utf8JsonWriter(httpContext.Response.Body);
            json.WriteStartObject();
            json.WriteString("run_id", runId);
            json.WriteString("key", key);
            json.WriteNumber("total_points", series.TotalPoints);
            WriteNullable(json, "first_step", series.FirstStep);
            WriteNullable(json, "last_step", series.LastStep);
            json.WriteBoolean("downsampled", series.Downsampled);
            json.WriteStartArray("step");
            foreach (var point in series.Points)
            {
                json.WriteNumberValue(point.Step);
            }

            json.WriteEndArray();
            json.WriteStartArray("timestamp");
            foreach (var point in series.Points)
            {
                json.WriteNumberValue(point.Timestamp);
            }

            json.WriteEndArray();
            json.WriteStartArray("value");
            foreach (var point in series.Points)
            {
                // JSON has no infinity; a chart skips a null as it would a gap.
                if (double.IsFinite(point.Value))
                {
                    json.WriteNumberValue(point.Value);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(httpContext.RequestAborted);
        }

        private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
        {
            if (value is { } v)
            {
                json.WriteNumber(name, v);
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }
}
