using System.Collections.Frozen;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mlops.Web;

/// <summary>
/// Serves the interface's CSS and JavaScript from resources embedded in this assembly, under /ui/assets.
/// No CDN and no static web assets manifest: the files travel inside the binary.
/// </summary>
public static class WebAssets
{
    private static readonly FrozenDictionary<string, Asset> s_assets = Load();

    /// <summary>A URL that changes with each build of the assets, so browsers may cache them for a year.</summary>
    public static string Url(string name) =>
        s_assets.TryGetValue(name, out var asset) ? $"/ui/assets/{name}?v={asset.Version}" : throw new ArgumentException($"No web asset named {name}.", nameof(name));

    internal static IEndpointRouteBuilder MapWebAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/assets/{name}", Serve).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(string name, HttpContext context)
    {
        if (!s_assets.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.Vary = "Accept-Encoding";
        var acceptsGzip = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (acceptsGzip)
        {
            context.Response.Headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(asset.Gzipped.Value, asset.ContentType);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ui/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource["ui/".Length..];
            var contentType = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            var version = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))[..12];
            assets[name] = new Asset(content, contentType, version, new Lazy<byte[]>(() => Gzip(content)));
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // plotly.js is 4.8 MB as shipped and about 1.5 MB gzipped; compressing once per process is cheaper than every time.
    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private sealed record Asset(byte[] Content, string ContentType, string Version, Lazy<byte[]> Gzipped);
}
