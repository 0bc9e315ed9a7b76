using System.Net;

namespace Mlops.Client;

/// <summary>An error answer from the server, with MLflow's error code (for example RESOURCE_DOES_NOT_EXIST).</summary>
public sealed class MlopsApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MlopsApiException(HttpStatusCode statusCode, string errorCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>MLflow's error code, or HTTP_&lt;status&gt; when the body was not an MLflow error.</summary>
    public string ErrorCode { get; }
}
