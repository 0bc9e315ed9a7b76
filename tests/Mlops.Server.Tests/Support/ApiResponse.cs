using System.Net;
using System.Text.Json.Nodes;

namespace Mlops.Server.Tests.Support;

/// <summary>A response read to the end, with assertions in MLflow's terms (200 with JSON, or an error JSON).</summary>
public sealed class ApiResponse(HttpStatusCode status, string body, string? contentType)
{
    public HttpStatusCode Status { get; } = status;

    public string Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());

    /// <summary>Asserts a 200 with a JSON object body and returns it.</summary>
    public JsonObject Succeeds()
    {
        Assert.True(Status == HttpStatusCode.OK, $"Expected 200, got {(int)Status}: {Body}");
        Assert.StartsWith("application/json", ContentType ?? "", StringComparison.Ordinal);
        return JsonNode.Parse(Body)!.AsObject();
    }

    /// <summary>Asserts an MLflow error answer and returns its message.</summary>
    public string Fails(HttpStatusCode expectedStatus, string expectedErrorCode)
    {
        Assert.True(Status == expectedStatus, $"Expected {(int)expectedStatus} {expectedErrorCode}, got {(int)Status}: {Body}");
        var json = JsonNode.Parse(Body)!.AsObject();
        Assert.Equal(expectedErrorCode, (string?)json["error_code"]);
        var message = (string?)json["message"];
        Assert.False(string.IsNullOrWhiteSpace(message), "An error answer carries a message.");
        return message!;
    }

    /// <summary>Asserts a 400 INVALID_PARAMETER_VALUE and returns its message.</summary>
    public string IsInvalid() => Fails(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

    /// <summary>Asserts a 404 RESOURCE_DOES_NOT_EXIST and returns its message.</summary>
    public string IsNotFound() => Fails(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
}
