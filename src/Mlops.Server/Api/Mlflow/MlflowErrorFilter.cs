using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Domain.Common;

namespace Mlops.Server.Api.Mlflow;

/// <summary>The one place where failures of the MLflow-compatible API become MLflow error responses.</summary>
public sealed class MlflowErrorFilter(ILogger<MlflowErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (MlopsException e)
        {
            var (status, code) = MlflowErrors.Map(e.Kind);
            return MlflowErrors.Result(status, code, e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return MlflowErrors.Result(StatusCodes.Status413PayloadTooLarge, MlflowErrors.RequestLimitExceeded, "The request body is larger than this endpoint accepts.");
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error in {Method} {Path}", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return MlflowErrors.Result(StatusCodes.Status500InternalServerError, MlflowErrors.InternalError, "An internal error occurred; the server log has the details.");
        }
    }
}
