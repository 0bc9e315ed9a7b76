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

    /// <summary>Says what was wrong in wire terms; the framework's own message names .NET types.</summary>
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        const string marker = "could not be converted to ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            var type = message[(at + marker.Length)..];
            var expected = type.StartsWith("System.Nullable`1[System.Double]", StringComparison.Ordinal) || type.StartsWith("System.Double", StringComparison.Ordinal) ? "a number"
                : type.Contains("Int64", StringComparison.Ordinal) || type.Contains("Int32", StringComparison.Ordinal) ? "an integer"
                : type.StartsWith("System.String", StringComparison.Ordinal) ? "a string"
                : type.StartsWith("System.Boolean", StringComparison.Ordinal) ? "true or false"
                : type.Contains("List`1", StringComparison.Ordinal) ? "an array"
                : "an object";
            return $"expected {expected}.";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return text.Contains("System.", StringComparison.Ordinal) || text.Contains("Mlops.", StringComparison.Ordinal) ? "the value has the wrong type." : text;
    }
}
