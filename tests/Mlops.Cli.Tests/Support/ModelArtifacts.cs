using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mlops.Cli.Tests.Support;

/// <summary>
/// A run whose artifacts hold a small sealed model folder: <c>model/model.zip</c> (bytes unique to this run) and
/// <c>model/MLmodel</c> with an mlnet flavor and the sha256 of model.zip in <c>mlops.file_hashes</c>.
/// </summary>
public sealed record LoggedModel(string ExperimentId, string ExperimentName, string RunId, string RunName, byte[] ModelZip, byte[] MlModel, string ModelFolderOnDisk)
{
    /// <summary>What <c>mlops models register --source</c> takes.</summary>
    public string Source => $"runs:/{RunId}/model";

    /// <summary>The source a registered version records for <see cref="Source"/>.</summary>
    public string ArtifactSource => $"mlflow-artifacts:/{ExperimentId}/{RunId}/artifacts/model";

    public string ModelZipSha256 => ModelArtifacts.Sha256(ModelZip);

    public string MlModelSha256 => ModelArtifacts.Sha256(MlModel);

    /// <summary>The uploaded model.zip as the server stores it under <c>&lt;home&gt;/artifacts</c>.</summary>
    public string ModelZipOnDisk => Path.Combine(ModelFolderOnDisk, "model.zip");
}

/// <summary>Logs model folders to runs through the server's HTTP API (the CLI has no upload command).</summary>
public static class ModelArtifacts
{
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>An MLmodel as <c>MlModelFile</c> reads it: mlnet flavor, model uuid, creation time and the hash of model.zip.</summary>
    public static byte[] MlModelFor(byte[] modelZip, string modelUuid) => Encoding.UTF8.GetBytes(string.Join('\n',
        "flavors:",
        "  mlnet:",
        "    mlnet_version: 5.0.1",
        "    model_file: model.zip",
        "mlops:",
        "  file_hashes:",
        $"    model.zip: {Sha256(modelZip)}",
        $"model_uuid: {modelUuid}",
        "utc_time_created: '2026-11-28 10:00:00.000000'",
        ""));

    /// <summary>
    /// Creates a run (in <paramref name="experimentId"/>, or a new experiment) with params lr=0.01, epochs=5 and
    /// metric acc=0.93, then uploads model/model.zip and model/MLmodel to it.
    /// </summary>
    public static async Task<LoggedModel> LogModelAsync(this MlopsServerFixture server, string runName = "train", string? experimentId = null)
    {
        var experimentName = MlopsServerFixture.UniqueName("models");
        experimentId ??= await server.CreateExperimentAsync(experimentName);
        var runId = await server.CreateRunAsync(experimentId, runName,
            new Dictionary<string, double> { ["acc"] = 0.93 },
            new Dictionary<string, string> { ["lr"] = "0.01", ["epochs"] = "5" });

        // Not a real zip: the registry and the download only hash it, nothing loads it.
        var modelZip = Encoding.ASCII.GetBytes($"PK\u0003\u0004 fake ML.NET model of run {runId} {Guid.NewGuid():N}");
        var mlModel = MlModelFor(modelZip, Guid.NewGuid().ToString("N"));
        await server.PutArtifactAsync($"{experimentId}/{runId}/artifacts/model/model.zip", modelZip);
        await server.PutArtifactAsync($"{experimentId}/{runId}/artifacts/model/MLmodel", mlModel);

        var folder = Path.Combine(server.Home, "artifacts", experimentId, runId, "artifacts", "model");
        Assert.True(File.Exists(Path.Combine(folder, "model.zip")), $"Expected the server to store model.zip under {folder}");
        return new LoggedModel(experimentId, experimentName, runId, runName, modelZip, mlModel, folder);
    }

    /// <summary>PUT /api/2.0/mlflow-artifacts/artifacts/&lt;path&gt;.</summary>
    public static async Task PutArtifactAsync(this MlopsServerFixture server, string path, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var url = "api/2.0/mlflow-artifacts/artifacts/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var response = await server.Http.PutAsync(url, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode,
            string.Create(CultureInfo.InvariantCulture, $"PUT {url} answered {(int)response.StatusCode}: {body}"));
    }

    /// <summary>The string value of <c>key</c> in a list of <c>{key, value}</c> pairs (MLflow's tags, params).</summary>
    public static string? ValueOf(JsonNode? pairs, string key) =>
        pairs?.AsArray().FirstOrDefault(p => p!["key"]!.GetValue<string>() == key)?["value"]?.GetValue<string>();
}
