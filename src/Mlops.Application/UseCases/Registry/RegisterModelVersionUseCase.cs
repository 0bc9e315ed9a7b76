using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Registry;

public sealed record RegisterModelVersionInput(
    string? Name,
    string? Source,
    string? RunId,
    IReadOnlyList<(string? Key, string? Value)>? Tags,
    string? RunLink,
    string? Description,
    string? UserId);

/// <summary>
/// Registers a new version of a model from artifacts already on this server. Only <c>runs:/&lt;run&gt;/&lt;path&gt;</c>
/// and <c>mlflow-artifacts:/&lt;path&gt;</c> sources are accepted, and the files must exist: a version can never
/// point the server at a local path or a URL (MLflow's CVE history is the warning).
/// </summary>
public sealed class RegisterModelVersionUseCase(IModelRegistryStore registry, ITrackingStore tracking, IArtifactStore artifacts, IModelPackageInspector packages, TimeProvider clock)
{
    /// <summary>Version tag holding the sha256 of the version's MLmodel, checked again whenever the model is loaded.</summary>
    public const string MlModelSha256Tag = "mlops.mlmodel_sha256";

    /// <summary>Version tag listing the MLmodel's flavors (mlnet, onnx, python_function, ...).</summary>
    public const string FlavorsTag = "mlops.flavors";

    public async Task<ModelVersion> ExecuteAsync(RegisterModelVersionInput input, CancellationToken cancellationToken)
    {
        var name = ModelManagementService.ValidateModelName(input.Name);
        if (string.IsNullOrEmpty(input.Source))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'source'.");
        }

        if (input.Source.Length > ModelManagementService.MaxSourceLength)
        {
            throw MlopsException.Invalid($"source is {input.Source.Length} characters long; the limit is {ModelManagementService.MaxSourceLength}.");
        }

        var tags = CreateModelUseCase.ValidTags(input.Tags);
        var description = ModelManagementService.ValidateDescription(input.Description);
        var (path, runId) = await ResolveSourceAsync(input.Source, string.IsNullOrEmpty(input.RunId) ? null : input.RunId, cancellationToken);
        if (!await ExistsAsync(path, cancellationToken))
        {
            throw MlopsException.Invalid($"The model source '{input.Source}' does not exist on this server: upload the model's files as run artifacts first.");
        }

        _ = await registry.GetModelAsync(name, cancellationToken) ?? throw ModelManagementService.ModelNotFound(name);

        // A tampered package is refused here, before any version points at it.
        if (await packages.InspectAsync(path, cancellationToken) is { } package)
        {
            tags.RemoveAll(t => t.Key is MlModelSha256Tag or FlavorsTag);
            tags.Add(new Tag(MlModelSha256Tag, package.MlModelSha256));
            tags.Add(new Tag(FlavorsTag, string.Join(",", package.Flavors)));
        }

        return await registry.CreateVersionAsync(name, ArtifactUri.ForPath(path), runId, input.RunLink, description, input.UserId ?? "", tags,
            clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }

    /// <summary>Turns a source into a path under the artifact root and the run it belongs to (checked or inferred).</summary>
    private async Task<(ArtifactPath Path, string? RunId)> ResolveSourceAsync(string source, string? runId, CancellationToken cancellationToken)
    {
        if (source.StartsWith("runs:/", StringComparison.Ordinal))
        {
            var rest = source["runs:/".Length..].TrimStart('/');
            var slash = rest.IndexOf('/');
            var sourceRun = slash < 0 ? rest : rest[..slash];
            ExperimentTrackingService.ValidateRunId(sourceRun);
            if (runId is not null && runId != sourceRun)
            {
                throw MlopsException.Invalid($"source names run {sourceRun} but run_id is {runId}.");
            }

            var run = await tracking.GetRunInfoAsync(sourceRun, cancellationToken)
                ?? throw MlopsException.Invalid($"The run {sourceRun} named by the source does not exist.");
            return (ArtifactUri.ToPath(run.ArtifactUri).Combine(ArtifactPath.Parse(slash < 0 ? "" : rest[(slash + 1)..])), sourceRun);
        }

        if (!source.StartsWith(ArtifactUri.Scheme, StringComparison.Ordinal))
        {
            throw MlopsException.Invalid($"Invalid model source '{source}': a model version must come from artifacts on this server (runs:/<run_id>/<path> or mlflow-artifacts:/<path>); local paths and URLs are refused.");
        }

        var path = ArtifactUri.ToPath(source);
        if (runId is not null)
        {
            var run = await tracking.GetRunInfoAsync(runId, cancellationToken)
                ?? throw MlopsException.Invalid($"The run {runId} given as run_id does not exist.");
            if (path.RelativeTo(ArtifactUri.ToPath(run.ArtifactUri)) is null)
            {
                throw MlopsException.Invalid($"The source '{source}' is not among the artifacts of run {runId}.");
            }

            return (path, runId);
        }

        // mlflow-artifacts:/<experiment>/<run>/artifacts/...: the run is part of the path, so the lineage is known.
        var segments = path.Segments.ToArray();
        if (segments.Length >= 3 && segments[2] == "artifacts" && await tracking.GetRunInfoAsync(segments[1], cancellationToken) is { } owner
            && path.RelativeTo(ArtifactUri.ToPath(owner.ArtifactUri)) is not null)
        {
            return (path, owner.RunId);
        }

        // Anything else (the artifact root, a whole experiment folder, a stray path) is not a model a run produced.
        throw MlopsException.Invalid($"Invalid model source '{source}': a model must be inside a run's artifacts (runs:/<run_id>/<path> or mlflow-artifacts:/<experiment>/<run>/artifacts/<path>).");
    }

    private async Task<bool> ExistsAsync(ArtifactPath path, CancellationToken cancellationToken)
    {
        if ((await artifacts.ListAsync(path, cancellationToken)).Count > 0)
        {
            return true;
        }

        try
        {
            await using var stream = await artifacts.OpenReadAsync(path, cancellationToken);
            return true;
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.NotFound)
        {
            return false;
        }
    }
}
