using Mlops.Application.Ports;
using Mlops.Application.UseCases.Tracking;
using Mlops.Domain.Artifacts;

namespace Mlops.Application.UseCases.Artifacts;

public sealed record RunArtifactListing(string RootUri, IReadOnlyList<ArtifactEntry> Files);

/// <summary>Upload, download, list and delete artifacts; paths are confined to the artifact root before any I/O.</summary>
public sealed class ArtifactsUseCase(IArtifactStore artifacts, ITrackingStore tracking)
{
    public Task UploadAsync(string? path, Stream content, CancellationToken cancellationToken)
    {
        var target = ArtifactPath.Parse(path);
        if (target.IsRoot)
        {
            throw Domain.Common.MlopsException.Invalid("An artifact upload needs a file path, not the root.");
        }

        return artifacts.WriteAsync(target, content, cancellationToken);
    }

    public Task<Stream> OpenAsync(string? path, CancellationToken cancellationToken) =>
        artifacts.OpenReadAsync(ArtifactPath.Parse(path), cancellationToken);

    public Task DeleteAsync(string? path, CancellationToken cancellationToken)
    {
        var target = ArtifactPath.Parse(path);
        if (target.IsRoot)
        {
            throw Domain.Common.MlopsException.Invalid("Refusing to delete the artifact root.");
        }

        return artifacts.DeleteAsync(target, cancellationToken);
    }

    /// <summary>Children of a folder under the artifact root, named by their base name (MLflow's proxied listing).</summary>
    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string? path, CancellationToken cancellationToken)
    {
        var entries = await artifacts.ListAsync(ArtifactPath.Parse(path), cancellationToken);
        return entries.Select(e => e with { Path = e.Path[(e.Path.LastIndexOf('/') + 1)..] }).ToList();
    }

    /// <summary>Children of a folder of a run's artifacts, with paths relative to the run's artifact root.</summary>
    public async Task<RunArtifactListing> ListRunArtifactsAsync(string? runId, string? runUuid, string? path, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId, runUuid);
        var info = await tracking.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        var root = ArtifactUri.ToPath(info.ArtifactUri);
        var entries = await artifacts.ListAsync(root.Combine(ArtifactPath.Parse(path)), cancellationToken);
        var files = entries.Select(e => e with { Path = ArtifactPath.Parse(e.Path).RelativeTo(root) ?? e.Path }).ToList();
        return new RunArtifactListing(info.ArtifactUri, files);
    }

    /// <summary>Resolves a run-relative artifact path to a root-relative one (for runs:/ URIs and the CLI).</summary>
    public async Task<ArtifactPath> ResolveRunPathAsync(string runId, string? path, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        var info = await tracking.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        return ArtifactUri.ToPath(info.ArtifactUri).Combine(ArtifactPath.Parse(path));
    }
}
