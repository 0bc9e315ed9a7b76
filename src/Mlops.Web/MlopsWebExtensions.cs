using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Web.Components;
using Mlops.Web.Export;
using MudBlazor.Services;

namespace Mlops.Web;

/// <summary>The web interface: server-rendered Razor components reading the same use cases as the API.</summary>
public static class MlopsWebExtensions
{
    public static IServiceCollection AddMlopsWeb(this IServiceCollection services)
    {
        // Static server rendering only: every page is plain HTML plus forms, so no circuit is held per tab,
        // and charts fetch their series straight from the series endpoint.
        services.AddRazorComponents();
        services.AddMudServices();
        services.AddAntiforgery();
        return services;
    }

    public static WebApplication MapMlopsWeb(this WebApplication app)
    {
        // Razor component forms require this middleware; it validates only endpoints that ask for it (the
        // pages' POST forms), so the JSON APIs are not affected.
        app.UseAntiforgery();
        app.MapWebAssets();
        app.MapRunsCsvExport();
        app.MapRazorComponents<App>();
        return app;
    }
}
