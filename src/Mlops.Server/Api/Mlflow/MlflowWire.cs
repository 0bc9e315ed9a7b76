using System.Text.Encodings.Web;
using System.Text.Json;
using Mlops.Client.Contracts;

namespace Mlops.Server.Api.Mlflow;

/// <summary>
/// The server's JSON context for MLflow messages. Responses are application/json (never inlined into HTML), so
/// the relaxed encoder is safe and keeps quotes in messages readable ("'lr'" rather than "\u0027lr\u0027").
/// </summary>
public static class MlflowWire
{
    public static MlflowJsonContext Json { get; } = new(new JsonSerializerOptions(MlflowJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = null,
    });
}
