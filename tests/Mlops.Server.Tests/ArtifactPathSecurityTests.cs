using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

/// <summary>
/// Hostile artifact paths sent byte for byte over a socket (HttpClient would normalise them first). Every one
/// must be refused with 400 or 404, must never return /etc/passwd or a file outside the artifact root, must
/// never write or delete outside it, and must leave the data that existed as it was.
/// </summary>
public sealed class ArtifactPathSecurityTests(ServerFixture server) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private const string ArtifactsPrefix = "/api/2.0/mlflow-artifacts/artifacts";
    private const string Secret = "TOP-SECRET-MARKER-5b1e0c";
    private readonly HttpClient _http = server.Http;
    private readonly byte[] _legit = RandomNumberGenerator.GetBytes(4096);
    private readonly string _pwned = "PWNED-" + Guid.NewGuid().ToString("N");
    private string _runId = "";
    private string _root = "";
    private string _snapshot = "";

    private string SecretFile => Path.Combine(server.Home, "secret.txt");

    private string Outside => Path.Combine(server.Home, "outside");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(SecretFile, Secret);
        Directory.CreateDirectory(Outside);
        await File.WriteAllTextAsync(Path.Combine(Outside, "secret.txt"), Secret);

        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("hostile"));
        _runId = (string)run["info"]!["run_id"]!;
        _root = MlflowHttp.ArtifactRoot(run);
        using (var content = new ByteArrayContent(_legit))
        using (var put = await _http.PutAsync(Routes.Artifact(_root + "/model/weights.bin"), content))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // Links planted directly on disk, as a compromised job or a careless admin could.
        var folder = Path.Combine(server.ArtifactsRoot, _root);
        Directory.CreateSymbolicLink(Path.Combine(folder, "link-dir"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(folder, "link-etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(folder, "link-file"), SecretFile);
        File.CreateSymbolicLink(Path.Combine(folder, "link-passwd"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(server.ArtifactsRoot, "evil-" + _runId), Outside);
        _snapshot = await _http.SnapshotRunAsync(_runId);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string Expand(string template) => template.Replace("{root}", _root, StringComparison.Ordinal).Replace("{run}", _runId, StringComparison.Ordinal);

    private static void AssertRefused(RawResponse response, string what)
    {
        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound,
            $"{what}: expected 400 or 404, got {(int)response.Status}: {response.Text}");
        Assert.DoesNotContain(Secret, response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x:0:0", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(":0:0:", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"path\":\"passwd\"", response.Text, StringComparison.Ordinal);
    }

    private async Task AssertIntactAsync()
    {
        Assert.Equal(Secret, await File.ReadAllTextAsync(SecretFile));
        Assert.Equal(["secret.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal(Secret, await File.ReadAllTextAsync(Path.Combine(Outside, "secret.txt")));
        Assert.Equal(_legit, await _http.GetByteArrayAsync(Routes.Artifact(_root + "/model/weights.bin")));
        Assert.Equal(_snapshot, await _http.SnapshotRunAsync(_runId));
        foreach (var file in Directory.EnumerateFiles(server.Home, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            if (!Path.GetFileName(file).StartsWith("mlops.db", StringComparison.Ordinal) && new FileInfo(file).Length < 1_000_000)
            {
                Assert.DoesNotContain(_pwned, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            }
        }

        foreach (var folder in new[] { server.Home, Path.GetDirectoryName(server.Home)!, "/etc", "/", Outside })
        {
            Assert.False(File.Exists(Path.Combine(folder, "pwned.txt")), $"pwned.txt was written to {folder}");
        }
    }

    /// <summary>Paths after /api/2.0/mlflow-artifacts/artifacts/ that try to read outside the artifact root.</summary>
    public static TheoryData<string> ReadTargets =>
    [
        "../../etc/passwd",
        "../../../../../../../../../etc/passwd",
        "{root}/../../../../secret.txt",
        "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "..%2Fsecret.txt",
        "{root}/..%2F..%2F..%2F..%2Fsecret.txt",
        "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "{root}/%252e%252e/%252e%252e/%252e%252e/%252e%252e/secret.txt",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "%2F%2Fetc/passwd",
        "..%5C..%5C..%5C..%5C..%5Cetc%5Cpasswd",
        "{root}/..%5C..%5C..%5C..%5Csecret.txt",
        "..\\secret.txt",
        "C:%5CWindows%5Cwin.ini",
        "C:/Windows/win.ini",
        "{root}/x%23/../../../../../secret.txt",
        "{root}/%23/..%2F..%2F..%2F..%2Fsecret.txt",
        "{root}/a%3F/..%2F..%2F..%2F..%2Fsecret.txt",
        "{root}/.%2F..%2F..%2F..%2F..%2Fsecret.txt",
        "{root}/%2e%2e%5C%2e%2e%5C%2e%2e%5C%2e%2e%5Csecret.txt",
        "{root}/link-file",
        "{root}/link-passwd",
        "{root}/link-dir/secret.txt",
        "{root}/link-etc/passwd",
        "evil-{run}/secret.txt",
    ];

    /// <summary>Paths that try to write or delete outside the root (never /etc: a broken server must not damage the machine).</summary>
    public static TheoryData<string> WriteTargets =>
    [
        "{root}/../../../../pwned.txt",
        "..%2Fpwned.txt",
        "..%2F..%2Fpwned.txt",
        "{root}/..%2F..%2F..%2F..%2Fpwned.txt",
        "{root}/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpwned.txt",
        "%252e%252e%252fpwned.txt",
        "{root}/%252e%252e/%252e%252e/%252e%252e/%252e%252e/pwned.txt",
        "..%5Cpwned.txt",
        "..\\pwned.txt",
        "%2Ftmp%2Fpwned.txt",
        "{root}/a%23/..%2F..%2F..%2F..%2F..%2Fpwned.txt",
        "{root}/a%3F/..%2F..%2F..%2F..%2F..%2Fpwned.txt",
        "{root}/link-dir/pwned.txt",
        "{root}/link-dir/secret.txt",
        "{root}/link-file",
        "evil-{run}/pwned.txt",
        "evil-{run}/secret.txt",
    ];

    public static TheoryData<string> AllTargets => [.. Enumerable.Concat<object[]>(ReadTargets, WriteTargets).Select(row => (string)row[0]).Distinct()];

    /// <summary>Values of ?path= for the proxied listing.</summary>
    public static TheoryData<string> ListTargets =>
    [
        "..",
        "../",
        "../../etc",
        "%2e%2e%2f%2e%2e%2fetc",
        "..%2F..%2Fetc",
        "%252e%252e%252fetc",
        "/etc",
        "%2Fetc",
        "..%5C..%5Cetc",
        "{root}/../../../..",
        "{root}%23/../../../..",
        "{root}%3F/../../../..",
        "C:%5C",
        "{root}/link-dir",
        "{root}/link-etc",
        "evil-{run}",
    ];

    /// <summary>Values of ?path= for the run-scoped listing and /get-artifact (relative to the run's root).</summary>
    public static TheoryData<string> RunRelativeTargets =>
    [
        "..",
        "../../../..",
        "../../../../secret.txt",
        "../../../../../../../../../etc/passwd",
        "..%2F..%2F..%2F..",
        "%2e%2e%2f%2e%2e",
        "%252e%252e%252f%252e%252e",
        "/etc",
        "/etc/passwd",
        "..%5C..%5C..%5C..",
        "a%23/../../../..",
        "link-dir",
        "link-dir/secret.txt",
        "link-etc",
        "link-passwd",
        "link-file",
    ];

    [Theory]
    [MemberData(nameof(ReadTargets))]
    public async Task Download_of_a_hostile_path_is_refused(string template)
    {
        var target = ArtifactsPrefix + "/" + Expand(template);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "GET", target), target);

        await AssertIntactAsync();
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task Ajax_download_of_a_hostile_path_is_refused(string template)
    {
        var target = "/ajax-api/2.0/mlflow-artifacts/artifacts/" + Expand(template);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "GET", target), target);

        await AssertIntactAsync();
    }

    [Theory]
    [MemberData(nameof(WriteTargets))]
    public async Task Upload_to_a_hostile_path_is_refused_and_writes_nothing(string template)
    {
        var target = ArtifactsPrefix + "/" + Expand(template);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "PUT", target, Encoding.UTF8.GetBytes(_pwned), "application/octet-stream"), target);

        await AssertIntactAsync();
    }

    [Theory]
    [MemberData(nameof(WriteTargets))]
    public async Task Delete_of_a_hostile_path_is_refused_and_deletes_nothing(string template)
    {
        var target = ArtifactsPrefix + "/" + Expand(template);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "DELETE", target), target);

        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("{root}/link-dir")]
    [InlineData("{root}/link-etc")]
    [InlineData("{root}/link-file")]
    [InlineData("{root}/link-passwd")]
    [InlineData("evil-{run}")]
    public async Task Delete_of_a_planted_link_is_refused_and_its_target_survives(string template)
    {
        var target = ArtifactsPrefix + "/" + Expand(template);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "DELETE", target), target);

        await AssertIntactAsync();
        Assert.True(File.Exists("/etc/passwd"));
    }

    [Theory]
    [MemberData(nameof(ListTargets))]
    public async Task Proxied_listing_of_a_hostile_path_is_refused(string template)
    {
        var target = ArtifactsPrefix + "?path=" + Expand(template);

        var response = await RawHttp.SendAsync(server.BaseAddress, "GET", target);

        AssertRefused(response, target);
        Assert.DoesNotContain("secret.txt", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("hosts", response.Text, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Theory]
    [MemberData(nameof(RunRelativeTargets))]
    public async Task Run_listing_of_a_hostile_path_is_refused(string template)
    {
        var target = $"/api/2.0/mlflow/artifacts/list?run_id={_runId}&path={Expand(template)}";

        var response = await RawHttp.SendAsync(server.BaseAddress, "GET", target);

        AssertRefused(response, target);
        Assert.DoesNotContain("secret.txt", response.Text.Replace(Expand(template), "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("hosts", response.Text, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Theory]
    [MemberData(nameof(RunRelativeTargets))]
    public async Task Get_artifact_of_a_hostile_path_is_refused(string template)
    {
        var target = $"/get-artifact?run_uuid={_runId}&path={Expand(template)}";

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "GET", target), target);

        await AssertIntactAsync();
    }

    [Fact]
    public async Task Listings_leave_planted_links_out()
    {
        var proxied = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(_root))).Succeeds();
        var run = (await _http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_id=" + _runId)).Succeeds();
        var top = (await _http.GetApiAsync(Routes.Artifacts)).Succeeds();

        Assert.Equal(["model"], proxied["files"]!.AsArray().Select(f => (string)f!["path"]!));
        Assert.Equal(["model"], run["files"]!.AsArray().Select(f => (string)f!["path"]!));
        Assert.DoesNotContain("evil-", top.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_artifact_folder_is_a_link_cannot_be_read_through_it()
    {
        // The whole run folder replaced by a link to a folder outside the root.
        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("linked-run"));
        var root = MlflowHttp.ArtifactRoot(run);
        var runFolder = Path.Combine(server.ArtifactsRoot, root);
        Directory.CreateDirectory(Path.GetDirectoryName(runFolder)!);
        Directory.CreateSymbolicLink(runFolder, Outside);

        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "GET", $"{ArtifactsPrefix}/{root}/secret.txt"), "download");
        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "GET", $"/api/2.0/mlflow/artifacts/list?run_id={(string)run["info"]!["run_id"]!}"), "run listing");
        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "PUT", $"{ArtifactsPrefix}/{root}/pwned.txt", Encoding.UTF8.GetBytes(_pwned)), "upload");
        AssertRefused(await RawHttp.SendAsync(server.BaseAddress, "DELETE", $"{ArtifactsPrefix}/{root}/secret.txt"), "delete");

        await AssertIntactAsync();
    }
}
