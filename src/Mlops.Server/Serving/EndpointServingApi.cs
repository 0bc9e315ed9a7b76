using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Application.Serving;
using Mlops.Server.Api.Mlflow;

namespace Mlops.Server.Serving;

/// <summary>
/// <c>POST /serving/{endpoint}/invocations</c>: each request goes to one live revision, chosen at random in
/// proportion to the traffic split; the answer says which in the <c>X-Mlops-Revision</c> header. A sampled request
/// (by the endpoint's log sample rate, or every request while a shadow is live) is written to the prediction log and
/// carries <c>X-Mlops-Request-Id</c>; shadows score a copy after the answer is sent.
/// </summary>
public static class EndpointServingApi
{
    private static readonly ModelServerOptions s_options = new();

    public static IEndpointRouteBuilder MapEndpointServing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/serving/{endpoint}/invocations", InvokeAsync).WithTags("Deployments");
        return app;
    }

    public static async Task InvokeAsync(string endpoint, HttpContext context, EndpointHost host, PredictionLogWriter log, ShadowMirror shadows, TimeProvider clock)
    {
        var started = Stopwatch.GetTimestamp();
        var route = await host.RouteAsync(endpoint, Random.Shared.NextDouble(), context.RequestAborted);
        if (route is null)
        {
            await MlflowErrors.WriteAsync(context, StatusCodes.Status404NotFound, MlflowErrors.ResourceDoesNotExist, $"No endpoint named '{endpoint}' is serving.");
            return;
        }

        var answer = route.Answer;
        var logged = route.Shadows.Count > 0 || (route.Settings.LogSampleRate > 0 && Random.Shared.NextDouble() < route.Settings.LogSampleRate);
        var requestId = logged ? Guid.NewGuid().ToString("N") : null;
        context.Response.Headers["X-Mlops-Revision"] = answer.Number.ToString(CultureInfo.InvariantCulture);
        if (requestId is not null)
        {
            context.Response.Headers["X-Mlops-Request-Id"] = requestId;
        }

        var scored = await ScoringEndpoint.ScoreAsync(context, answer.Gate, answer.Schema, s_options);
        ServingMetrics.Observe(endpoint, answer.Number, context.Response.StatusCode, started);
        if (scored is null || requestId is null)
        {
            return;
        }

        var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
        log.TryEnqueue(new PredictionSample(endpoint, answer.Number, route.Role, requestId, at, scored.ModelMicroseconds, scored.Batch, scored.Result));
        if (route.Shadows.Count > 0)
        {
            shadows.TryEnqueue(new ShadowWork(endpoint, requestId, at, scored.Batch, route.Shadows));
        }
    }
}
