using System.Net.Http.Headers;
using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    private const string ArtifactScheme = "mlflow-artifacts:";

    /// <summary>Uploads a local file, or a folder with everything in it, under <paramref name="artifactPath"/> of the run.</summary>
    public async Task UploadArtifactsAsync(string runId, string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        var root = await RunArtifactRootAsync(runId, cancellationToken);
        if (File.Exists(localPath))
        {
            var target = Join(artifactPath, Path.GetFileName(localPath));
            await using var file = File.OpenRead(localPath);
            await PutAsync(Join(root, target), file, cancellationToken);
            return;
        }

        if (!Directory.Exists(localPath))
        {
            throw new FileNotFoundException($"Nothing to upload at '{localPath}'.", localPath);
        }

        foreach (var file in Directory.EnumerateFiles(localPath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(localPath, file).Replace(Path.DirectorySeparatorChar, '/');
            await using var stream = File.OpenRead(file);
            await PutAsync(Join(root, Join(artifactPath, relative)), stream, cancellationToken);
        }
    }

    /// <summary>Uploads a stream as the run artifact <paramref name="artifactPath"/> (for example "plots/loss.png").</summary>
    public async Task UploadArtifactAsync(string runId, Stream content, string artifactPath, CancellationToken cancellationToken = default)
    {
        var root = await RunArtifactRootAsync(runId, cancellationToken);
        await PutAsync(Join(root, artifactPath), content, cancellationToken);
    }

    /// <summary>Lists the direct children of a folder of the run's artifacts (paths relative to the run's root).</summary>
    public async Task<IReadOnlyList<FileInfoDto>> ListArtifactsAsync(string runId, string? path = null, CancellationToken cancellationToken = default)
    {
        var response = await GetAsync("artifacts/list" + Query(("run_id", runId), ("path", path)), s_json.ListArtifactsResponse, cancellationToken);
        return response.Files ?? [];
    }

    /// <summary>Opens a run artifact for streaming; dispose the stream when done.</summary>
    public async Task<Stream> OpenArtifactAsync(string runId, string artifactPath, CancellationToken cancellationToken = default)
    {
        var root = await RunArtifactRootAsync(runId, cancellationToken);
        var response = await _http.GetAsync(ArtifactUrl(Join(root, artifactPath)), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Downloads a run artifact file or folder (recursively) into <paramref name="destination"/> and returns the
    /// local path of what was downloaded. An empty <paramref name="artifactPath"/> downloads everything.
    /// </summary>
    public async Task<string> DownloadArtifactsAsync(string runId, string? artifactPath, string destination, CancellationToken cancellationToken = default)
    {
        var root = await RunArtifactRootAsync(runId, cancellationToken);
        Directory.CreateDirectory(destination);
        var relative = (artifactPath ?? "").Trim('/');
        var entries = await ListArtifactsAsync(runId, relative.Length == 0 ? null : relative, cancellationToken);
        var isFolder = relative.Length == 0 || entries.Count > 0;
        if (!isFolder)
        {
            var local = SafeLocalPath(destination, Path.GetFileName(relative));
            await DownloadFileAsync(Join(root, relative), local, cancellationToken);
            return local;
        }

        var target = relative.Length == 0 ? destination : SafeLocalPath(destination, Path.GetFileName(relative));
        await DownloadFolderAsync(runId, root, relative, target, cancellationToken);
        return target;
    }

    private async Task DownloadFolderAsync(string runId, string root, string relative, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in await ListArtifactsAsync(runId, relative.Length == 0 ? null : relative, cancellationToken))
        {
            var child = entry.Path!;
            var local = SafeLocalPath(target, child[(child.LastIndexOf('/') + 1)..]);
            if (entry.IsDir)
            {
                await DownloadFolderAsync(runId, root, child, local, cancellationToken);
            }
            else
            {
                await DownloadFileAsync(Join(root, child), local, cancellationToken);
            }
        }
    }

    private async Task DownloadFileAsync(string fullPath, string localPath, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(ArtifactUrl(fullPath), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var file = File.Create(localPath);
        await source.CopyToAsync(file, 1 << 20, cancellationToken);
    }

    private async Task PutAsync(string fullPath, Stream content, CancellationToken cancellationToken)
    {
        using var body = new StreamContent(content, 1 << 20);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PutAsync(ArtifactUrl(fullPath), body, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private async Task<string> RunArtifactRootAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await GetRunAsync(runId, cancellationToken);
        var uri = run.Info.ArtifactUri ?? "";
        if (!uri.StartsWith(ArtifactScheme, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Run {runId} keeps artifacts at '{uri}', which is not served through the tracking server.");
        }

        var rest = uri[ArtifactScheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }

        return rest.Trim('/');
    }

    private static string ArtifactUrl(string fullPath) =>
        ArtifactsApi + "/" + string.Join('/', fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private static string Join(string? left, string right) =>
        string.IsNullOrEmpty(left) ? right.Trim('/') : left.TrimEnd('/') + "/" + right.Trim('/');

    /// <summary>A name from the server must not steer a download outside the destination folder.</summary>
    private static string SafeLocalPath(string folder, string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            throw new InvalidDataException($"Refusing to write an artifact named '{name}'.");
        }

        return Path.Combine(folder, name);
    }
}
