using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Domain.Common;

namespace Mlops.Server.Api.V1;

/// <summary>The one place where failures of the native /api/v1 API become RFC 7807 problem details.</summary>
public sealed class ProblemDetailsFilter(ILogger<ProblemDetailsFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (MlopsException e)
        {
            var (status, title) = e.Kind switch
            {
                ErrorKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
                ErrorKind.AlreadyExists => (StatusCodes.Status409Conflict, "Already exists"),
                ErrorKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
                ErrorKind.LimitExceeded => (StatusCodes.Status400BadRequest, "Limit exceeded"),
                _ => (StatusCodes.Status400BadRequest, "Invalid request"),
            };
            return TypedResults.Problem(e.Message, statusCode: status, title: title);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error in {Method} {Path}", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return TypedResults.Problem("An internal error occurred; the server log has the details.", statusCode: StatusCodes.Status500InternalServerError, title: "Internal error");
        }
    }
}
