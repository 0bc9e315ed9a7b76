using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Search;

namespace Mlops.Application.UseCases.Registry;

/// <summary>
/// Registers a run's model at most once per marker tag (a job id, a study): a retried job or a study finished twice
/// finds the version it made before instead of adding another.
/// </summary>
public sealed class IdempotentRegistration(IModelRegistryStore registry, RegisterModelVersionUseCase register, UpdateModelUseCase updateModel, TimeProvider clock)
{
    public async Task<ModelVersion> RegisterAsync(string model, string? alias, string runId, (string Key, string Value) marker, string description, CancellationToken cancellationToken)
    {
        if (await registry.GetModelAsync(model, cancellationToken) is null)
        {
            try
            {
                await registry.CreateModelAsync(model, "", [], clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
            {
            }
        }

        var escapedModel = model.Replace("'", "''", StringComparison.Ordinal);
        var escapedValue = marker.Value.Replace("'", "''", StringComparison.Ordinal);
        var existing = await registry.SearchVersionsAsync(new RegistryQuery(
            SearchFilterParser.Parse($"name = '{escapedModel}' AND tags.`{marker.Key}` = '{escapedValue}'", SearchTarget.ModelVersions), [], 1, 0), cancellationToken);
        var version = existing.Items.Count > 0
            ? existing.Items[0]
            : await register.ExecuteAsync(new RegisterModelVersionInput(model, $"runs:/{runId}/model", runId, [(marker.Key, marker.Value)], null, description, "mlops-worker"), cancellationToken);
        if (alias is not null)
        {
            await updateModel.SetAliasAsync(model, alias, version.Version.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        return version;
    }
}
