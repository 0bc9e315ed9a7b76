using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mlops.Client.Contracts;
using Mlops.Domain.Common;

namespace Mlops.Server.Api.Mlflow;

/// <summary>MLflow's error JSON (<c>{"error_code": ..., "message": ...}</c>) with MLflow's HTTP statuses.</summary>
public static class MlflowErrors
{
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";
    public const string InternalError = "INTERNAL_ERROR";
    public const string EndpointNotFound = "ENDPOINT_NOT_FOUND";
    public const string NotImplemented = "NOT_IMPLEMENTED";
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";

    public static (int Status, string Code) Map(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => (StatusCodes.Status404NotFound, ResourceDoesNotExist),
        // MLflow answers a taken name with 400, not 409; its clients depend on the code, not the status.
        ErrorKind.AlreadyExists => (StatusCodes.Status400BadRequest, ResourceAlreadyExists),
        _ => (StatusCodes.Status400BadRequest, InvalidParameterValue),
    };

    public static IResult Result(int status, string code, string message) =>
        TypedResults.Json(new ErrorResponse { ErrorCode = code, Message = message }, MlflowWire.Json.ErrorResponse, statusCode: status);

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse { ErrorCode = code, Message = message }, MlflowWire.Json.ErrorResponse);
    }
}
