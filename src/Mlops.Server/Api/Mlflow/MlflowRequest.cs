using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Server.Api.Mlflow;

/// <summary>Reads MLflow requests: JSON bodies (checked for content type, size and shape) and query strings.</summary>
public static class MlflowRequest
{
    public const long DefaultBodyLimit = 16L * 1024 * 1024;

    public static async Task<T> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, long limit = DefaultBodyLimit)
        where T : class
    {
        var request = context.Request;
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw MlopsException.Invalid("Bad Request. Content-Type must be 'application/json'.");
        }

        if (request.ContentLength > limit)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"The request body is {request.ContentLength} bytes; this endpoint accepts at most {limit} bytes.");
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, typeInfo, context.RequestAborted)
                ?? throw MlopsException.Invalid("The request body must be a JSON object, not null.");
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
            throw MlopsException.Invalid($"Malformed JSON request body{where}: {Describe(e)}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"The request body is larger than {limit} bytes, the limit of this endpoint.");
        }
    }

    public static string? Query(HttpContext context, string name)
    {
        var values = context.Request.Query[name];
        return values.Count == 0 ? null : values[^1];
    }

    /// <summary>Repeated keys (<c>?x=1&amp;x=2</c>) and the <c>x[]</c> form, as MLflow's query-string parser accepts.</summary>
    public static List<string> QueryList(HttpContext context, string name)
    {
        var list = new List<string>();
        foreach (var key in new[] { name, name + "[]" })
        {
            foreach (var value in context.Request.Query[key])
            {
                if (value is not null)
                {
                    list.Add(value);
                }
            }
        }

        return list;
    }

    public static long? QueryInt64(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw MlopsException.Invalid($"Invalid value '{text}' for parameter '{name}': expected an integer.");
    }

    public static ViewType ParseViewType(string? value, string field) => value?.ToUpperInvariant() switch
    {
        null or "" or "ACTIVE_ONLY" or "1" => ViewType.ActiveOnly,
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => throw MlopsException.Invalid($"Invalid value '{value}' for parameter '{field}': expected ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };

    public static T Required<T>(T? value, string field)
        where T : struct =>
        value ?? throw MlopsException.Invalid($"Missing value for required parameter '{field}'.");

    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw MlopsException.Invalid($"Missing value for required parameter '{field}'.") : value;

    private static string Describe(JsonException e)
    {
        // The framework's message names internal types; keep the first sentence, which says what went wrong.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
