using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mlops.Server.Api;

/// <summary>
/// Documents a JSON request body in the OpenAPI document without taking part in routing. The framework's
/// Accepts() would make a request with the wrong Content-Type miss the route, while MLflow clients expect a
/// 400 INVALID_PARAMETER_VALUE from the endpoint itself.
/// </summary>
public sealed record RequestBodyMetadata(Type BodyType);

public static class RequestBodyDocumentation
{
    public static RouteHandlerBuilder WithRequestBody<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(T)));

    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyMetadata>().FirstOrDefault();
        if (metadata is null)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(metadata.BodyType, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
