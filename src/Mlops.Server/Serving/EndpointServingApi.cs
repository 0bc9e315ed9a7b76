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
/// proportion to the traffic split; the answer says which in the <c>X-Mlops-Revision</c> header.
/// </summary>
public static class EndpointServingApi
{
    private static readonly ModelServerOptions s_options = new();

    public static IEndpointRouteBuilder MapEndpointServing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/serving/{endpoint}/invocations", InvokeAsync).WithTags("Deployments");
        return app;
    }

    public static async Task InvokeAsync(string endpoint, HttpContext context, EndpointHost host)
    {
        var started = Stopwatch.GetTimestamp();
        var served = await host.RouteAsync(endpoint, Random.Shared.NextDouble(), context.RequestAborted);
        if (served is null)
        {
            await MlflowErrors.WriteAsync(context, StatusCodes.Status404NotFound, MlflowErrors.ResourceDoesNotExist, $"No endpoint named '{endpoint}' is serving.");
            return;
        }

        context.Response.Headers["X-Mlops-Revision"] = served.Number.ToString(CultureInfo.InvariantCulture);
        await ScoringEndpoint.ScoreAsync(context, served.Predictor, served.Schema, s_options);
        ServingMetrics.Observe(endpoint, served.Number, context.Response.StatusCode, started);
    }
}
