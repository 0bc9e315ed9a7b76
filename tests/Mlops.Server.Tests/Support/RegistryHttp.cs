using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mlops.Server.Tests.Support;

/// <summary>A run whose artifacts hold a small model folder (model/MLmodel and model/model.onnx), ready to register.</summary>
public sealed record ModelRun(string ExperimentId, string RunId, string Root)
{
    /// <summary>The source the MLflow client sends for <c>register_model("runs:/&lt;run&gt;/model")</c>.</summary>
    public string Source => $"runs:/{RunId}/model";

    /// <summary>Where the model folder lives on the server, as a registered version records it.</summary>
    public string ArtifactSource => $"mlflow-artifacts:/{Root}/model";
}

/// <summary>Model registry calls over raw HTTP, and the run with uploaded model files that every version needs.</summary>
public static class RegistryHttp
{
    /// <summary>An MLmodel as MLflow's Python client writes it for an ONNX model (no content hashes).</summary>
    public static readonly byte[] MlmodelBytes = Encoding.UTF8.GetBytes("""
        artifact_path: model
        flavors:
          onnx:
            code: null
            data: model.onnx
            onnx_version: 1.15.0
            providers:
            - CPUExecutionProvider
        mlflow_version: 2.10.2
        model_uuid: 0f1e2d3c4b5a49e8a7b6c5d4e3f2a1b0
        utc_time_created: '2024-01-31 12:34:56.789012'

        """);

    public static readonly byte[] OnnxBytes = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7 % 251))];

    public static async Task<ApiResponse> SendJsonAsync(this HttpClient http, HttpMethod method, string path, JsonNode body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public static async Task<ApiResponse> SendRawAsync(this HttpClient http, HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public static Task<ApiResponse> PatchJsonAsync(this HttpClient http, string path, JsonNode body) => http.SendJsonAsync(HttpMethod.Patch, path, body);

    public static Task<ApiResponse> DeleteJsonAsync(this HttpClient http, string path, JsonNode body) => http.SendJsonAsync(HttpMethod.Delete, path, body);

    /// <summary>A DELETE without a body: the fields travel in the query string.</summary>
    public static async Task<ApiResponse> DeleteApiAsync(this HttpClient http, string pathAndQuery)
    {
        using var response = await http.DeleteAsync(pathAndQuery);
        return await ApiResponse.ReadAsync(response);
    }

    public static async Task PutArtifactAsync(this HttpClient http, string path, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PutAsync(Routes.Artifact(path), content);
        (await ApiResponse.ReadAsync(response)).Succeeds();
    }

    /// <summary>Creates a run (in a new experiment unless one is given) and uploads model/MLmodel and model/model.onnx to it.</summary>
    public static async Task<ModelRun> NewModelRunAsync(this HttpClient http, string? experimentId = null)
    {
        experimentId ??= await http.CreateExperimentAsync("registry");
        var run = await http.CreateRunAsync(experimentId);
        var model = new ModelRun(experimentId, (string)run["info"]!["run_id"]!, MlflowHttp.ArtifactRoot(run));
        await http.PutArtifactAsync(model.Root + "/model/MLmodel", MlmodelBytes);
        await http.PutArtifactAsync(model.Root + "/model/model.onnx", OnnxBytes);
        return model;
    }

    public static async Task<JsonObject> CreateModelAsync(this HttpClient http, string name, string prefix = Routes.Mlflow) =>
        (await http.PostJsonAsync(prefix + "registered-models/create", new JsonObject { ["name"] = name })).Succeeds()["registered_model"]!.AsObject();

    public static Task<ApiResponse> CreateVersionAsync(this HttpClient http, string name, string source, string? runId = null, string prefix = Routes.Mlflow)
    {
        var body = new JsonObject { ["name"] = name, ["source"] = source };
        if (runId is not null)
        {
            body["run_id"] = runId;
        }

        return http.PostJsonAsync(prefix + "model-versions/create", body);
    }

    /// <summary>Registers a version of an existing model from the run's model folder and returns its model_version.</summary>
    public static async Task<JsonObject> RegisterAsync(this HttpClient http, string name, ModelRun run) =>
        (await http.CreateVersionAsync(name, run.Source, run.RunId)).Succeeds()["model_version"]!.AsObject();

    public static Task<ApiResponse> GetModelAsync(this HttpClient http, string name, string prefix = Routes.Mlflow) =>
        http.GetApiAsync(prefix + "registered-models/get?name=" + Routes.Escape(name));

    public static Task<ApiResponse> GetVersionAsync(this HttpClient http, string name, string version, string prefix = Routes.Mlflow) =>
        http.GetApiAsync(prefix + $"model-versions/get?name={Routes.Escape(name)}&version={Routes.Escape(version)}");

    public static Task<ApiResponse> GetByAliasAsync(this HttpClient http, string name, string alias, string prefix = Routes.Mlflow) =>
        http.GetApiAsync(prefix + $"registered-models/alias?name={Routes.Escape(name)}&alias={Routes.Escape(alias)}");

    public static Task<ApiResponse> SetAliasAsync(this HttpClient http, string name, string alias, string version, string prefix = Routes.Mlflow) =>
        http.PostJsonAsync(prefix + "registered-models/alias", new JsonObject { ["name"] = name, ["alias"] = alias, ["version"] = version });

    public static Task<ApiResponse> TransitionAsync(this HttpClient http, string name, string version, string stage, bool archiveExisting = false) =>
        http.PostJsonAsync(Routes.Mlflow + "model-versions/transition-stage",
            new JsonObject { ["name"] = name, ["version"] = version, ["stage"] = stage, ["archive_existing_versions"] = archiveExisting });

    /// <summary>model-versions/search with a filter: the model_versions list (empty when the answer omits it) and next_page_token.</summary>
    public static async Task<(List<JsonObject> Versions, string? NextPageToken)> SearchVersionsAsync(this HttpClient http, string filter, string? orderBy = null, int? maxResults = null, string? pageToken = null)
    {
        var query = "model-versions/search?filter=" + Routes.Escape(filter);
        query += orderBy is null ? "" : "&order_by=" + Routes.Escape(orderBy);
        query += maxResults is null ? "" : "&max_results=" + maxResults.Value.ToString(CultureInfo.InvariantCulture);
        query += pageToken is null ? "" : "&page_token=" + Routes.Escape(pageToken);
        var json = (await http.GetApiAsync(Routes.Mlflow + query)).Succeeds();
        return (List(json["model_versions"]), (string?)json["next_page_token"]);
    }

    /// <summary>The version numbers of one model, as strings in ascending numeric order.</summary>
    public static async Task<List<string>> VersionNumbersAsync(this HttpClient http, string name)
    {
        var (versions, _) = await http.SearchVersionsAsync($"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'");
        return versions.Select(v => (string)v["version"]!).OrderBy(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>A version's tags without the ones the server adds itself (keys starting with "mlops.").</summary>
    public static Dictionary<string, string> UserTags(JsonNode? tags) =>
        MlflowHttp.Pairs(tags).Where(p => !p.Key.StartsWith("mlops.", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);

    public static List<JsonObject> List(JsonNode? array) => array is null ? [] : array.AsArray().Select(n => n!.AsObject()).ToList();
}
