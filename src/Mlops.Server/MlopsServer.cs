using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Application;
using Mlops.Client.Contracts;
using Mlops.Infrastructure;
using Mlops.Server.Api;
using Mlops.Web;
using Mlops.Worker;

namespace Mlops.Server;

/// <summary>Builds the ASP.NET Core host that `mlops server` runs: the API, artifacts, health and OpenAPI.</summary>
public static class MlopsServer
{
    public static string Version { get; } =
        typeof(MlopsServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static WebApplication Build(MlopsServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Mlops.Server" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MlopsServerLimits.MaxRequestBodySize;
            kestrel.AddServerHeader = false;
        });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");

        builder.Services.AddMlopsApplication();
        builder.Services.AddMlopsInfrastructure(options.Storage);
        builder.Services.AddMlopsServer();
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<Serving.ServingBackgroundService>();
        builder.Services.AddMlopsWeb();
        if (options.Worker is { } worker)
        {
            builder.Services.AddMlopsWorker(worker);
        }

        var app = builder.Build();

        // Open the stores now: migrations run and folders exist before the server says it is listening,
        // so an unusable data directory fails at start-up, not on the first request.
        _ = app.Services.GetRequiredService<Application.Ports.ITrackingStore>();
        _ = app.Services.GetRequiredService<Application.Ports.IArtifactStore>();
        Serving.ServingMetrics.Track(app.Services.GetRequiredService<Application.Serving.PredictionLogWriter>(), app.Services.GetRequiredService<Application.Serving.ShadowMirror>());
        app.MapMlopsEndpoints();
        app.MapMlopsWeb();
        return app;
    }

    /// <summary>The addresses Kestrel listens on, once started (resolves port 0 to the real port).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public static IServiceCollection AddMlopsServer(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, MlflowJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        services.AddOpenApi(openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Mlops API";
                document.Info.Version = Version;
                document.Info.Description = "MLflow-compatible tracking and artifact API served by `mlops server`.";
                return Task.CompletedTask;
            });
            openApi.AddOperationTransformer(RequestBodyDocumentation.DescribeAsync);
        });
        services.AddSingleton<Application.UseCases.Tracking.GetMetricSeriesUseCase>();
        services.AddSingleton<Api.Mlflow.MlflowErrorFilter>();
        services.AddSingleton<Api.V1.ProblemDetailsFilter>();
        services.AddProblemDetails();
        return services;
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}

public static class MlopsServerLimits
{
    /// <summary>The hard cap for any request body except artifact uploads, which stream without a cap.</summary>
    public const long MaxRequestBodySize = 64L * 1024 * 1024;
}
