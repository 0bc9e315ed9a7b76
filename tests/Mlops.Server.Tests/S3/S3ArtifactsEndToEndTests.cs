using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Client;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests.S3;

/// <summary>
/// The server with its artifacts in S3 (s3rver): clients still talk to the server only, through MLflow's proxied
/// artifact API, and what they upload lands in the bucket under the configured prefix, not on the server's disk.
/// </summary>
public sealed class S3ArtifactsEndToEndTests(S3ServerFixture server) : IClassFixture<S3ServerFixture>
{
    [S3Fact]
    public async Task Uploads_downloads_lists_and_deletes_artifacts_through_the_mlflow_api_with_the_bytes_in_the_bucket()
    {
        var http = server.Http;
        var run = await http.CreateRunAsync(await http.CreateExperimentAsync("s3"));
        var runId = (string)run["info"]!["run_id"]!;
        var root = MlflowHttp.ArtifactRoot(run);

        // 12 MB: more than one 8 MiB part, so the server's upload to S3 is a multipart one.
        var big = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        using (var content = new StreamContent(new MemoryStream(big)))
        using (var put = await http.PutAsync(Routes.Artifact(root + "/data/big.bin"), content))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("hello")))
        using (var put = await http.PutAsync(Routes.Artifact(root + "/readme.txt"), content))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var get = await http.GetAsync(Routes.Artifact(root + "/data/big.bin"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            await using var body = await get.Content.ReadAsStreamAsync();
            Assert.Equal(Convert.ToHexString(SHA256.HashData(big)), Convert.ToHexString(await SHA256.HashDataAsync(body)));
        }

        var top = (await http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(root))).Succeeds();
        Assert.Equal(
            [("data", true, (long?)null), ("readme.txt", false, 5L)],
            top["files"]!.AsArray().Select(f => ((string)f!["path"]!, (bool)f["is_dir"]!, (long?)f["file_size"])));
        var runListing = (await http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_id=" + runId + "&path=data")).Succeeds();
        Assert.Equal(["data/big.bin"], runListing["files"]!.AsArray().Select(f => (string)f!["path"]!));
        Assert.Equal(big.Length, (long)runListing["files"]![0]!["file_size"]!);

        Assert.Equal(
            [$"{S3ServerFixture.Prefix}/{root}/data/big.bin", $"{S3ServerFixture.Prefix}/{root}/readme.txt"],
            await server.KeysAsync($"{S3ServerFixture.Prefix}/{root}/"));
        Assert.False(Directory.Exists(Path.Combine(server.Home, "artifacts")), "artifacts must not be written to the server's disk");

        using (var delete = await http.DeleteAsync(Routes.Artifact(root + "/data")))
        {
            Assert.Empty((await ApiResponse.ReadAsync(delete)).Succeeds());
        }

        (await http.GetApiAsync(Routes.Artifact(root + "/data/big.bin"))).IsNotFound();
        Assert.Equal([$"{S3ServerFixture.Prefix}/{root}/readme.txt"], await server.KeysAsync($"{S3ServerFixture.Prefix}/{root}/"));
    }

    [S3Fact]
    public async Task A_model_trained_by_the_worker_is_stored_in_the_bucket_registered_and_served()
    {
        using var client = new MlopsClient(new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }, ownsHttpClient: true);
        var model = "s3-" + Guid.NewGuid().ToString("N")[..8];
        var data = Path.Combine(S3ServerFixture.Repository, "samples", "data", "breast_cancer.csv");
        var spec = $$$"""
            name: {{{model}}}
            experiment: {{{model}}}
            dataset: {path: '{{{data}}}', label: label}
            task: binary
            trainer: {name: lightgbm, hyperparameters: {number_of_iterations: 20}}
            validation: {method: holdout, holdout_fraction: 0.2, seed: 1}
            register: {model: {{{model}}}}
            """;

        var job = await client.WaitForJobAsync((await client.SubmitTrainingAsync(spec)).Id);

        Assert.True(job.Status == "succeeded", $"training job {job.Id} {job.Status}: {job.Error}");
        var runId = JsonDocument.Parse(job.Result!).RootElement.GetProperty("run_id").GetString()!;
        var run = await client.GetRunAsync(runId);
        var runRoot = run.Info.ArtifactUri!["mlflow-artifacts:/".Length..];
        var keys = await server.KeysAsync($"{S3ServerFixture.Prefix}/{runRoot}/model/");
        Assert.Contains($"{S3ServerFixture.Prefix}/{runRoot}/model/MLmodel", keys);
        Assert.Contains($"{S3ServerFixture.Prefix}/{runRoot}/model/model.zip", keys);

        // Registration verified the package's hashes by reading it back from S3; serving loads it from there too.
        var endpoint = "ep-" + Guid.NewGuid().ToString("N")[..8];
        await client.DeployAsync(endpoint, $"models:/{model}/1");
        var rows = File.ReadLines(data).Take(2).ToArray();
        using var response = await server.Http.PostAsync(
            $"serving/{endpoint}/invocations", new StringContent(rows[0] + "\n" + rows[1] + "\n", Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Single(JsonNode.Parse(body)!["predictions"]!.AsArray());
    }
}
