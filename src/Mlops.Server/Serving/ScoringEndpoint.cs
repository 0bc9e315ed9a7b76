using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Domain.Common;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Serving;

/// <summary>
/// POST /invocations for one loaded model, in MLflow's scoring protocol: the body is parsed straight from the
/// request pipe against the model's signature, scored, and the answer written straight into the response pipe.
/// Bad input never reaches the model: it is a 400 with MLflow's error JSON naming the column.
/// </summary>
public sealed class ScoringEndpoint(IPredictor predictor, ModelServerOptions options)
{
    private readonly ReplicaGate _gate = new(predictor, options.Replicas);

    /// <summary>The error code MLflow's scoring server answers bad input with.</summary>
    public const string BadRequest = "BAD_REQUEST";

    private readonly ScoringSchema _schema = ScoringSchema.From(predictor.Signature);

    public IPredictor Predictor => predictor;

    /// <summary>`mlops serve`'s /invocations; its metrics carry endpoint "serve", revision 0.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ScoreAsync(context, _gate, _schema, options);
        ServingMetrics.Observe("serve", 0, context.Response.StatusCode, started);
    }

    /// <summary>
    /// Scores one request with one model; shared by `mlops serve` and the endpoints of `mlops server`. Returns what was
    /// scored (for the prediction log and shadows), or null when the request was refused with an error answer.
    /// </summary>
    public static async Task<ScoredRequest?> ScoreAsync(HttpContext context, ReplicaGate gate, ScoringSchema schema, ModelServerOptions options)
    {
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted);
            if (read.Buffer.Length > options.MaxRequestBytes)
            {
                reader.AdvanceTo(read.Buffer.End);
                await MlflowErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, BadRequest, $"The request body is over the limit of {options.MaxRequestBytes} bytes.");
                return null;
            }

            if (read.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        Domain.Serving.ScoringBatch batch;
        try
        {
            var buffer = read.Buffer;
            batch = buffer.IsSingleSegment
                ? ScoringRequestParser.Parse(buffer.FirstSpan, context.Request.ContentType, schema, options.MaxRows)
                : ScoringRequestParser.Parse(buffer.ToArray(), context.Request.ContentType, schema, options.MaxRows);
        }
        catch (MlopsException e)
        {
            await MlflowErrors.WriteAsync(context, e.Kind == ErrorKind.LimitExceeded ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, BadRequest, e.Message);
            return null;
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }

        var scoring = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await gate.PredictAsync(batch, context.RequestAborted);
        var modelMicroseconds = (long)System.Diagnostics.Stopwatch.GetElapsedTime(scoring).TotalMicroseconds;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        ScoringResponseWriter.Write(context.Response.BodyWriter, result);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        return new ScoredRequest(batch, result, modelMicroseconds);
    }
}

/// <summary>A request that was scored: its parsed rows, the model's answer and the time spent in the model.</summary>
public sealed record ScoredRequest(Domain.Serving.ScoringBatch Batch, Domain.Serving.ScoringResult Result, long ModelMicroseconds);
