using System.Net;
using Microsoft.AspNetCore.Http;

namespace Mlops.Server.Api;

/// <summary>A small landing page until the web interface lands: what is running and where to go next.</summary>
public static class HomePage
{
    public static IResult Render() => TypedResults.Content(
        $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Mlops</title>
        <style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;line-height:1.5}code{background:#f3f3f3;padding:0 .3em}</style></head>
        <body><h1>Mlops {{WebUtility.HtmlEncode(MlopsServer.Version)}}</h1>
        <p>The tracking server is running. Point any MLflow client at this address
        (<code>MLFLOW_TRACKING_URI</code>) or use the <code>mlops</code> command and the .NET client.</p>
        <ul><li><a href="/docs">API reference</a> (<a href="/openapi/v1.json">OpenAPI document</a>)</li>
        <li><a href="/health">Health</a> and <a href="/version">version</a></li></ul></body></html>
        """,
        "text/html; charset=utf-8");
}
