using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Prometheus;

namespace Mlops.Server.Serving;

/// <summary>
/// `mlops serve`: one model behind MLflow's scoring routes (<c>POST /invocations</c>, <c>GET /ping</c>,
/// <c>/health</c>, <c>/version</c>), so clients written for `mlflow models serve` work unchanged. A slim host:
/// no tracking API, no worker, nothing between Kestrel and the model but the parser.
/// </summary>
public static class ModelServer
{
    public static WebApplication Build(IPredictor predictor, string modelUri, ModelServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.Port);
        });

        var app = builder.Build();
        var endpoint = new ScoringEndpoint(predictor, options);
        app.MapPost("/invocations", endpoint.HandleAsync);
        app.MapGet("/ping", () => Results.Text("\n"));
        app.MapGet("/health", () => Results.Json(new Dictionary<string, string> { ["status"] = "ok", ["model"] = modelUri }));
        app.MapGet("/version", () => Results.Text(MlopsServer.Version));
        app.MapMetrics("/metrics");
        return app;
    }

    /// <summary>The model must score its own input example before the server takes traffic.</summary>
    public static void CheckHealth(IPredictor predictor, string packageFolder) => PredictorHealthCheck.Run(predictor, packageFolder);
}
