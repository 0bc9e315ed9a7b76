namespace Mlops.Server.Tests.Support;

/// <summary>Relative URLs of the API (the test HttpClient's base address is the server root).</summary>
public static class Routes
{
    public const string Mlflow = "api/2.0/mlflow/";
    public const string AjaxMlflow = "ajax-api/2.0/mlflow/";
    public const string Artifacts = "api/2.0/mlflow-artifacts/artifacts";
    public const string AjaxArtifacts = "ajax-api/2.0/mlflow-artifacts/artifacts";

    /// <summary>A URL for a proxied artifact, each segment escaped.</summary>
    public static string Artifact(string path) =>
        Artifacts + "/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    public static string Escape(string value) => Uri.EscapeDataString(value);
}
