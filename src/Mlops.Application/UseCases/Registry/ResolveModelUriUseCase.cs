using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Registry;

namespace Mlops.Application.UseCases.Registry;

/// <summary>A model URI resolved to the folder of artifacts it names, and the registered version when there is one.</summary>
public sealed record ResolvedModel(string Uri, ArtifactPath Path, ModelVersion? Version, string? RunId);

/// <summary>
/// Resolves every model URI form the platform accepts (models:/name/3, models:/name@champion, models:/name/Production,
/// models:/name/latest, runs:/&lt;run&gt;/path) in one place, so the API, the CLI, the client and serving agree.
/// </summary>
public sealed class ResolveModelUriUseCase(GetModelUseCase models, ITrackingStore tracking)
{
    public async Task<ResolvedModel> ExecuteAsync(string? uri, CancellationToken cancellationToken)
    {
        var parsed = ModelUri.Parse(uri);
        if (parsed.Kind == ModelUriKind.Run)
        {
            var run = await tracking.GetRunInfoAsync(parsed.RunId!, cancellationToken)
                ?? throw MlopsException.NotFound($"Run with id={parsed.RunId} not found");
            var path = ArtifactUri.ToPath(run.ArtifactUri).Combine(ArtifactPath.Parse(parsed.ArtifactPath));
            return new ResolvedModel(parsed.ToString(), path, null, run.RunId);
        }

        var version = parsed.Kind switch
        {
            ModelUriKind.Version => await models.VersionAsync(parsed.Name, parsed.Version!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken),
            ModelUriKind.Alias => await models.ByAliasAsync(parsed.Name, parsed.Alias, cancellationToken),
            ModelUriKind.Stage => await models.LatestVersionsAsync(parsed.Name, [parsed.Stage!], cancellationToken) is { Count: > 0 } inStage
                ? inStage[0]
                : throw MlopsException.NotFound($"Registered model {parsed.Name} has no version in stage {parsed.Stage}."),
            _ => (await models.LatestVersionsAsync(parsed.Name, [], cancellationToken)).MaxBy(v => v.Version)
                ?? throw MlopsException.NotFound($"Registered model {parsed.Name} has no versions."),
        };
        return new ResolvedModel(parsed.ToString(), ArtifactUri.ToPath(version.Source), version, version.RunId);
    }
}
