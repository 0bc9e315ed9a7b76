using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

public sealed class MlflowArtifactsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    private async Task<(string RunId, string Root)> NewRunAsync()
    {
        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("artifacts"));
        return ((string)run["info"]!["run_id"]!, MlflowHttp.ArtifactRoot(run));
    }

    private async Task PutAsync(string path, byte[] bytes, string prefix = Routes.Artifacts)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PutAsync(prefix + "/" + path, content);
        Assert.Empty((await ApiResponse.ReadAsync(response)).Succeeds());
    }

    [Fact]
    public async Task A_20_MB_artifact_downloads_with_an_identical_sha256()
    {
        var (_, root) = await NewRunAsync();
        var bytes = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        var file = Path.Combine(server.Home, "upload.bin");
        await File.WriteAllBytesAsync(file, bytes);

        await using (var stream = File.OpenRead(file))
        {
            using var content = new StreamContent(stream);
            using var put = await _http.PutAsync(Routes.Artifact(root + "/data/big.bin"), content);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var get = await _http.GetAsync(Routes.Artifact(root + "/data/big.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        await using var body = await get.Content.ReadAsStreamAsync();
        var downloaded = await SHA256.HashDataAsync(body);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)), Convert.ToHexString(downloaded));
        Assert.Equal(bytes.Length, new FileInfo(Path.Combine(server.ArtifactsRoot, root, "data", "big.bin")).Length);
    }

    [Fact]
    public async Task Proxied_listing_names_children_by_base_name_with_sizes()
    {
        var (_, root) = await NewRunAsync();
        await PutAsync(root + "/model/MLmodel", Encoding.UTF8.GetBytes("flavors: {}"));
        await PutAsync(root + "/model/data/weights.bin", new byte[1234]);
        await PutAsync(root + "/readme.txt", Encoding.UTF8.GetBytes("hello"));

        var top = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(root))).Succeeds();
        var model = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(root + "/model"))).Succeeds();

        var topFiles = top["files"]!.AsArray().ToDictionary(f => (string)f!["path"]!, f => f!);
        Assert.Equal(["model", "readme.txt"], topFiles.Keys.Order());
        Assert.True((bool)topFiles["model"]["is_dir"]!);
        Assert.Null(topFiles["model"]["file_size"]);
        Assert.False((bool)topFiles["readme.txt"]["is_dir"]!);
        Assert.Equal(5, (long)topFiles["readme.txt"]["file_size"]!);
        var modelFiles = model["files"]!.AsArray().ToDictionary(f => (string)f!["path"]!, f => f!);
        Assert.Equal(["MLmodel", "data"], modelFiles.Keys.Order(StringComparer.Ordinal));
        Assert.Null(top["root_uri"]);
    }

    [Fact]
    public async Task Listing_an_empty_or_missing_folder_returns_no_files()
    {
        var (_, root) = await NewRunAsync();

        var listing = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(root + "/nothing-here"))).Succeeds();

        Assert.True(listing["files"] is null || listing["files"]!.AsArray().Count == 0, listing.ToJsonString());
    }

    [Fact]
    public async Task Run_listing_gives_paths_relative_to_the_run_root_and_the_root_uri()
    {
        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("run-list"));
        var runId = (string)run["info"]!["run_id"]!;
        var root = MlflowHttp.ArtifactRoot(run);
        await PutAsync(root + "/plots/loss.png", new byte[10]);
        await PutAsync(root + "/plots/acc.png", new byte[20]);
        await PutAsync(root + "/summary.json", Encoding.UTF8.GetBytes("{}"));

        var top = (await _http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_id=" + runId)).Succeeds();
        var plots = (await _http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_uuid=" + runId + "&path=plots")).Succeeds();

        Assert.Equal((string)run["info"]!["artifact_uri"]!, (string)top["root_uri"]!);
        Assert.Equal(["plots", "summary.json"], top["files"]!.AsArray().Select(f => (string)f!["path"]!));
        Assert.Equal(["plots/acc.png", "plots/loss.png"], plots["files"]!.AsArray().Select(f => (string)f!["path"]!));
        Assert.Equal(20, (long)plots["files"]![0]!["file_size"]!);
    }

    [Fact]
    public async Task Delete_removes_a_file_and_then_download_and_delete_are_404()
    {
        var (_, root) = await NewRunAsync();
        await PutAsync(root + "/doomed.txt", Encoding.UTF8.GetBytes("bye"));
        await PutAsync(root + "/kept.txt", Encoding.UTF8.GetBytes("stay"));

        using (var delete = await _http.DeleteAsync(Routes.Artifact(root + "/doomed.txt")))
        {
            Assert.Empty((await ApiResponse.ReadAsync(delete)).Succeeds());
        }

        (await _http.GetApiAsync(Routes.Artifact(root + "/doomed.txt"))).IsNotFound();
        using (var again = await _http.DeleteAsync(Routes.Artifact(root + "/doomed.txt")))
        {
            (await ApiResponse.ReadAsync(again)).IsNotFound();
        }

        Assert.Equal("stay", await _http.GetStringAsync(Routes.Artifact(root + "/kept.txt")));
    }

    [Fact]
    public async Task Delete_of_a_folder_removes_everything_in_it()
    {
        var (_, root) = await NewRunAsync();
        await PutAsync(root + "/folder/a.txt", [1]);
        await PutAsync(root + "/folder/sub/b.txt", [2]);

        using (var delete = await _http.DeleteAsync(Routes.Artifact(root + "/folder")))
        {
            (await ApiResponse.ReadAsync(delete)).Succeeds();
        }

        (await _http.GetApiAsync(Routes.Artifact(root + "/folder/sub/b.txt"))).IsNotFound();
        Assert.False(Directory.Exists(Path.Combine(server.ArtifactsRoot, root, "folder")));
    }

    [Fact]
    public async Task An_upload_replaces_an_existing_file()
    {
        var (_, root) = await NewRunAsync();

        await PutAsync(root + "/v.txt", Encoding.UTF8.GetBytes("one"));
        await PutAsync(root + "/v.txt", Encoding.UTF8.GetBytes("two"));

        Assert.Equal("two", await _http.GetStringAsync(Routes.Artifact(root + "/v.txt")));
    }

    [Fact]
    public async Task An_empty_file_round_trips()
    {
        var (_, root) = await NewRunAsync();

        await PutAsync(root + "/empty.txt", []);

        Assert.Empty(await _http.GetByteArrayAsync(Routes.Artifact(root + "/empty.txt")));
    }

    [Fact]
    public async Task Names_with_spaces_and_unicode_round_trip()
    {
        var (_, root) = await NewRunAsync();
        const string Name = "my plots/résumé ü 1.txt";

        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("ok")))
        using (var put = await _http.PutAsync(Routes.Artifact(root + "/" + Name), content))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal("ok", await _http.GetStringAsync(Routes.Artifact(root + "/" + Name)));
        var listing = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(root + "/my plots"))).Succeeds();
        Assert.Equal("résumé ü 1.txt", (string)listing["files"]![0]!["path"]!);
    }

    [Fact]
    public async Task Active_content_is_served_as_plain_text_with_nosniff()
    {
        var (_, root) = await NewRunAsync();
        await PutAsync(root + "/page.html", Encoding.UTF8.GetBytes("<script>alert(1)</script>"));
        await PutAsync(root + "/data.bin", [1, 2, 3]);

        using var html = await _http.GetAsync(Routes.Artifact(root + "/page.html"));
        using var binary = await _http.GetAsync(Routes.Artifact(root + "/data.bin"));

        Assert.Equal("text/plain", html.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", string.Join(",", html.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", string.Join(",", html.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Get_artifact_reads_a_file_relative_to_the_run_root()
    {
        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("get-artifact"));
        var root = MlflowHttp.ArtifactRoot(run);
        await PutAsync(root + "/notes/a.txt", Encoding.UTF8.GetBytes("note"));

        var text = await _http.GetStringAsync("get-artifact?run_uuid=" + (string)run["info"]!["run_id"]! + "&path=notes/a.txt");

        Assert.Equal("note", text);
    }

    [Fact]
    public async Task Ajax_prefix_serves_uploads_downloads_and_listings()
    {
        var (_, root) = await NewRunAsync();

        await PutAsync(root + "/via-ajax.txt", Encoding.UTF8.GetBytes("ajax"), Routes.AjaxArtifacts);

        Assert.Equal("ajax", await _http.GetStringAsync(Routes.AjaxArtifacts + "/" + root + "/via-ajax.txt"));
        var listing = (await _http.GetApiAsync(Routes.AjaxArtifacts + "?path=" + Routes.Escape(root))).Succeeds();
        Assert.Equal("via-ajax.txt", (string)listing["files"]![0]!["path"]!);
    }

    [Fact]
    public async Task Writing_a_file_where_a_folder_is_or_below_a_file_is_refused()
    {
        var (_, root) = await NewRunAsync();
        await PutAsync(root + "/dir/file.txt", [1]);

        using (var content = new ByteArrayContent([2]))
        using (var onFolder = await _http.PutAsync(Routes.Artifact(root + "/dir"), content))
        {
            (await ApiResponse.ReadAsync(onFolder)).IsInvalid();
        }

        using (var content = new ByteArrayContent([3]))
        using (var belowFile = await _http.PutAsync(Routes.Artifact(root + "/dir/file.txt/child"), content))
        {
            (await ApiResponse.ReadAsync(belowFile)).IsInvalid();
        }

        Assert.Equal([1], await _http.GetByteArrayAsync(Routes.Artifact(root + "/dir/file.txt")));
    }

    [Theory]
    [InlineData("create")]
    [InlineData("complete")]
    [InlineData("abort")]
    public async Task Multipart_upload_endpoints_answer_501_not_implemented(string step)
    {
        var response = await _http.PostJsonAsync($"api/2.0/mlflow-artifacts/mpu/{step}/1/run/artifacts/big.bin", new JsonObject { ["path"] = "big.bin", ["num_parts"] = 2 });

        response.Fails(HttpStatusCode.NotImplemented, "NOT_IMPLEMENTED");
    }
}
