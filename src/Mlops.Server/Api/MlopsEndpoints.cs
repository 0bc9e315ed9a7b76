using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Server.Api.Mlflow;
using Mlops.Server.Api.V1;
using Mlops.Server.Serving;
using Prometheus;
using Scalar.AspNetCore;

namespace Mlops.Server.Api;

public static class MlopsEndpoints
{
    /// <summary>Every route of the server, listed explicitly (no discovery by reflection).</summary>
    public static IEndpointRouteBuilder MapMlopsEndpoints(this IEndpointRouteBuilder app)
    {
        // MLflow serves each route under /api/2.0 and again under /ajax-api/2.0 (the web UI's prefix).
        foreach (var prefix in new[] { "/api/2.0", "/ajax-api/2.0" })
        {
            var mlflow = app.MapGroup(prefix + "/mlflow").AddEndpointFilter<MlflowErrorFilter>();
            mlflow.MapMlflowExperimentsApi().MapMlflowRunsApi().MapMlflowRunArtifactsApi().MapMlflowRegistryApi();
            app.MapGroup(prefix + "/mlflow-artifacts").AddEndpointFilter<MlflowErrorFilter>().MapMlflowProxiedArtifactsApi();
        }

        app.MapGroup("/api/v1").AddEndpointFilter<V1.ProblemDetailsFilter>().MapModelsApi().MapJobsApi().MapStudiesApi().MapEndpointsApi().MapMetricSeriesApi();
        app.MapGroup("").AddEndpointFilter<MlflowErrorFilter>().MapGet("/get-artifact", MlflowArtifactsApi.GetRunArtifact).ExcludeFromDescription();
        app.MapEndpointServing();
        app.MapMetrics("/metrics").WithTags("Server");
        app.MapGet("/health", () => TypedResults.Text("OK")).WithTags("Server");
        app.MapGet("/version", () => TypedResults.Text(MlopsServer.Version)).WithTags("Server");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Mlops API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));

        // Unknown API routes answer in MLflow's error format instead of an empty 404.
        foreach (var prefix in new[] { "/api", "/ajax-api" })
        {
            app.Map(prefix + "/{**rest}", (HttpContext context) => MlflowErrors.Result(
                StatusCodes.Status404NotFound, MlflowErrors.EndpointNotFound, $"No API endpoint {context.Request.Method} {context.Request.Path}."))
                .ExcludeFromDescription();
        }

        return app;
    }
}
