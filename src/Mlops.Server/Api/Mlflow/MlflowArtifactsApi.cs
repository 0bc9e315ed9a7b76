using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Mlops.Application.UseCases.Artifacts;
using Mlops.Client.Contracts;

namespace Mlops.Server.Api.Mlflow;

/// <summary>
/// MLflow's proxied artifact service (<c>/mlflow-artifacts/artifacts/...</c>) and the run-scoped listing
/// (<c>/mlflow/artifacts/list</c>). Bodies stream in both directions.
/// </summary>
public static class MlflowArtifactsApi
{
    private static readonly MlflowJsonContext s_json = MlflowWire.Json;
    private static readonly FileExtensionContentTypeProvider s_contentTypes = new();

    public static RouteGroupBuilder MapMlflowRunArtifactsApi(this RouteGroupBuilder group)
    {
        group.MapGet("/artifacts/list", ListRunArtifacts).WithTags("MLflow artifacts").Produces<ListArtifactsResponse>();
        return group;
    }

    public static RouteGroupBuilder MapMlflowProxiedArtifactsApi(this RouteGroupBuilder group)
    {
        group.WithTags("MLflow artifacts");
        group.MapGet("/artifacts", ListArtifacts).Produces<ListArtifactsResponse>();
        group.MapGet("/artifacts/{**path}", DownloadArtifact).Produces(StatusCodes.Status200OK, contentType: "application/octet-stream");
        group.MapPut("/artifacts/{**path}", UploadArtifact);
        group.MapDelete("/artifacts/{**path}", DeleteArtifact);
        group.MapPost("/mpu/create/{**path}", MultipartNotSupported);
        group.MapPost("/mpu/complete/{**path}", MultipartNotSupported);
        group.MapPost("/mpu/abort/{**path}", MultipartNotSupported);
        return group;
    }

    public static async Task<IResult> ListRunArtifacts(HttpContext context, ArtifactsUseCase useCase)
    {
        var listing = await useCase.ListRunArtifactsAsync(
            MlflowRequest.Query(context, "run_id"), MlflowRequest.Query(context, "run_uuid"), MlflowRequest.Query(context, "path"), context.RequestAborted);
        return TypedResults.Json(new ListArtifactsResponse { RootUri = listing.RootUri, Files = listing.Files.Select(f => f.ToDto()).ToList() }, s_json.ListArtifactsResponse);
    }

    public static async Task<IResult> ListArtifacts(HttpContext context, ArtifactsUseCase useCase)
    {
        var entries = await useCase.ListAsync(MlflowRequest.Query(context, "path"), context.RequestAborted);
        return TypedResults.Json(new ListArtifactsResponse { Files = entries.Select(f => f.ToDto()).ToList() }, s_json.ListArtifactsResponse);
    }

    public static async Task<IResult> DownloadArtifact(HttpContext context, string? path, ArtifactsUseCase useCase)
    {
        var stream = await useCase.OpenAsync(path, context.RequestAborted);
        return Download(context, stream, path ?? "");
    }

    public static async Task<IResult> UploadArtifact(HttpContext context, string? path, ArtifactsUseCase useCase)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        await useCase.UploadAsync(path, context.Request.Body, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static async Task<IResult> DeleteArtifact(HttpContext context, string? path, ArtifactsUseCase useCase)
    {
        await useCase.DeleteAsync(path, context.RequestAborted);
        return MlflowExperimentsApi.Empty();
    }

    public static IResult MultipartNotSupported() =>
        MlflowErrors.Result(StatusCodes.Status501NotImplemented, MlflowErrors.NotImplemented,
            "Multipart upload through the MLflow artifacts API is not supported; upload the file with a single PUT (it streams, and the server uses multipart uploads to S3 itself).");

    /// <summary>The web UI's raw artifact read: <c>/get-artifact?run_uuid=...&amp;path=...</c>.</summary>
    public static async Task<IResult> GetRunArtifact(HttpContext context, ArtifactsUseCase useCase)
    {
        var runId = MlflowRequest.Required(MlflowRequest.Query(context, "run_uuid") ?? MlflowRequest.Query(context, "run_id"), "run_uuid");
        var relative = MlflowRequest.Required(MlflowRequest.Query(context, "path"), "path");
        var full = await useCase.ResolveRunPathAsync(runId, relative, context.RequestAborted);
        var stream = await useCase.OpenAsync(full.Value, context.RequestAborted);
        return Download(context, stream, relative);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.FileStreamHttpResult Download(HttpContext context, Stream stream, string path)
    {
        if (!s_contentTypes.TryGetContentType(path, out var contentType) || IsActiveContent(contentType))
        {
            // Never let the browser run an uploaded page or script in the server's origin (MLflow's XSS history).
            contentType = contentType is null ? "application/octet-stream" : "text/plain; charset=utf-8";
        }

        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return TypedResults.Stream(stream, contentType, enableRangeProcessing: stream.CanSeek);
    }

    private static bool IsActiveContent(string contentType) =>
        contentType.Contains("html", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("javascript", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("svg", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase);
}
