using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Domain.Common;

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
        return app;
    }

    /// <summary>
    /// Scores the package's own input example before the server takes traffic: a model that does not load, or
    /// whose signature does not accept its own example, never serves. Packages without an example pass.
    /// </summary>
    public static void CheckHealth(IPredictor predictor, string packageFolder)
    {
        var example = Path.Combine(packageFolder, "input_example.json");
        if (!File.Exists(example))
        {
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(example));
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, JsonElement> { ["dataframe_split"] = document.RootElement });
        try
        {
            var batch = ScoringRequestParser.Parse(body, "application/json", ScoringSchema.From(predictor.Signature), 10);
            var result = predictor.Predict(batch);
            if (result.RowCount != batch.RowCount)
            {
                throw new InvalidOperationException($"the model answered {result.RowCount} rows for {batch.RowCount}");
            }
        }
        catch (Exception e) when (e is MlopsException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw MlopsException.Invalid($"The model failed its health check on its own input example: {e.Message}");
        }
    }
}
