using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Application.UseCases.Registry;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Application.UseCases.Deployments;

/// <summary>
/// Deploys model versions to endpoints: deploy, canary, shadow, promote, rollback, scale, configure, undeploy, and
/// alias following. A new revision is recorded as
/// pending, loaded and health-checked, and only then goes live; one that fails is recorded as failed and the
/// revisions already live keep serving, untouched.
/// </summary>
public sealed class DeployModelUseCase(IDeploymentStore store, EndpointHost host, ResolveModelUriUseCase resolve, TimeProvider clock)
{
    /// <summary>Makes the model the endpoint's only live revision (creating the endpoint when it does not exist).</summary>
    public async Task<Endpoint> DeployAsync(string name, string modelUri, string by, string reason, CancellationToken cancellationToken, int? replicas = null)
    {
        name = EndpointRules.CheckName(name);
        var resolved = await ResolveAsync(modelUri, cancellationToken);
        if (await store.GetEndpointAsync(name, cancellationToken) is null)
        {
            try
            {
                await store.CreateEndpointAsync(EndpointRules.Create(name, Now()), cancellationToken);
            }
            catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
            {
            }
        }

        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Deploy(e, modelUri, Note(by, reason), resolved, replicas ?? DefaultReplicas), cancellationToken);
        return await SettleAsync(endpoint, by, cancellationToken);
    }

    /// <summary>Sends <paramref name="percent"/> % of traffic to a new revision; the primary keeps the rest.</summary>
    public async Task<Endpoint> CanaryAsync(string name, string modelUri, int percent, string by, string reason, CancellationToken cancellationToken, int? replicas = null)
    {
        var resolved = await ResolveAsync(modelUri, cancellationToken);
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Canary(e, modelUri, percent, Note(by, reason), resolved, replicas ?? DefaultReplicas), cancellationToken);
        return await SettleAsync(endpoint, by, cancellationToken);
    }

    /// <summary>A new revision gets a copy of every request; its answers are logged for comparison, never returned.</summary>
    public async Task<Endpoint> ShadowAsync(string name, string modelUri, string by, string reason, CancellationToken cancellationToken, int? replicas = null)
    {
        var resolved = await ResolveAsync(modelUri, cancellationToken);
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Shadow(e, modelUri, Note(by, reason), resolved, replicas ?? DefaultReplicas), cancellationToken);
        return await SettleAsync(endpoint, by, cancellationToken);
    }

    /// <summary>Sets how many requests a revision (the primary when none is given) scores at once; applied without a reload.</summary>
    public async Task<Endpoint> ScaleAsync(string name, int? revision, int replicas, string by, string reason, CancellationToken cancellationToken)
    {
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Scale(
            e,
            revision ?? e.Primary?.Number ?? throw new MlopsException(ErrorKind.Conflict, $"Endpoint '{name}' has no live primary to scale; name a revision."),
            replicas,
            Note(by, reason)), cancellationToken);
        await host.ActivateAsync(endpoint, cancellationToken);
        return endpoint;
    }

    /// <summary>Changes prediction logging and alias following; a null keeps the current value.</summary>
    public async Task<Endpoint> ConfigureAsync(string name, double? logSampleRate, bool? followAlias, string by, string reason, CancellationToken cancellationToken)
    {
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Configure(
            e,
            new EndpointSettings(logSampleRate ?? e.Settings.LogSampleRate, followAlias ?? e.Settings.FollowAlias),
            Note(by, reason)), cancellationToken);
        await host.ActivateAsync(endpoint, cancellationToken);
        return endpoint;
    }

    /// <summary>
    /// When the endpoint follows its primary's alias and the alias has moved, deploys the version it names now (health
    /// checked like any deploy). Returns the endpoint and whether it changed; a failed health check is recorded, not thrown.
    /// </summary>
    public async Task<(Endpoint Endpoint, bool Changed)> FollowAliasAsync(string name, CancellationToken cancellationToken)
    {
        var current = await GetAsync(name, cancellationToken);
        if (!current.Settings.FollowAlias || current.Primary is not { } primary || !EndpointRules.IsMoving(primary.ModelUri)
            || await ResolveAsync(primary.ModelUri, cancellationToken) is not { } now || now == primary.ResolvedModel)
        {
            return (current, false);
        }

        var note = Note(AliasFollowerName, $"{primary.ModelUri} moved to version {now.Version}");
        var before = 0;
        var endpoint = await store.UpdateEndpointAsync(name, e =>
        {
            before = e.Revisions.Count;
            return EndpointRules.FollowAlias(e, now, note);
        }, cancellationToken);
        if (endpoint.Revisions.Count == before)
        {
            return (endpoint, false);
        }

        try
        {
            return (await SettleAsync(endpoint, AliasFollowerName, cancellationToken), true);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            return (await GetAsync(name, cancellationToken), true);
        }
    }

    /// <summary>The canary (or the given revision) becomes the primary at 100 %.</summary>
    public async Task<Endpoint> PromoteAsync(string name, int? revision, string by, string reason, CancellationToken cancellationToken)
    {
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Promote(e, Note(by, reason), revision), cancellationToken);
        await host.ActivateAsync(endpoint, cancellationToken);
        return endpoint;
    }

    /// <summary>The previous primary's model serves again, as a new revision that is health-checked like any other.</summary>
    public async Task<Endpoint> RollbackAsync(string name, string by, string reason, CancellationToken cancellationToken)
    {
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Rollback(e, Note(by, reason)), cancellationToken);
        return await SettleAsync(endpoint, by, cancellationToken);
    }

    /// <summary>Stops serving: the endpoint answers 404 from now on; its history is kept.</summary>
    public async Task<Endpoint> UndeployAsync(string name, string by, string reason, CancellationToken cancellationToken)
    {
        var endpoint = await store.UpdateEndpointAsync(name, e => EndpointRules.Undeploy(e, Note(by, reason)), cancellationToken);
        await host.ActivateAsync(endpoint, cancellationToken);
        return endpoint;
    }

    public async Task<Endpoint> GetAsync(string name, CancellationToken cancellationToken) =>
        await store.GetEndpointAsync(name, cancellationToken) ?? throw MlopsException.NotFound($"No endpoint named '{name}'.");

    public Task<StorePage<Endpoint>> ListAsync(int maxResults, long offset, bool includeDeleted, CancellationToken cancellationToken) =>
        store.ListEndpointsAsync(maxResults, offset, includeDeleted, cancellationToken);

    /// <summary>Health-checks the pending revision: live when it passes, failed (and an error) when it does not.</summary>
    private async Task<Endpoint> SettleAsync(Endpoint endpoint, string by, CancellationToken cancellationToken)
    {
        var pending = endpoint.Pending ?? throw new InvalidOperationException("The change left no pending revision.");
        var failure = await host.PrepareAsync(endpoint.Name, pending, cancellationToken);
        if (failure is null)
        {
            endpoint = await store.UpdateEndpointAsync(endpoint.Name, e => EndpointRules.MarkLive(e, pending.Number, Note(by, "health check passed")), CancellationToken.None);
            await host.ActivateAsync(endpoint, CancellationToken.None);
            return endpoint;
        }

        endpoint = await store.UpdateEndpointAsync(endpoint.Name, e => EndpointRules.MarkFailed(e, pending.Number, failure, Note(by, "health check failed")), CancellationToken.None);
        var serving = EndpointRules.TrafficSplit(endpoint);
        throw MlopsException.Invalid($"Revision {pending.Number} ({pending.ModelUri}) failed its health check and takes no traffic: {failure} " +
            (serving.Count == 0 ? "The endpoint serves nothing yet." : $"Revision(s) {string.Join(", ", serving.Select(r => r.Number.ToString(CultureInfo.InvariantCulture)))} keep serving."));
    }

    private async Task<Domain.Deployments.ResolvedModel?> ResolveAsync(string modelUri, CancellationToken cancellationToken)
    {
        var resolved = await resolve.ExecuteAsync(EndpointRules.CheckModelUri(modelUri), cancellationToken);
        return resolved.Version is { } version ? new Domain.Deployments.ResolvedModel(version.Name, version.Version) : null;
    }

    /// <summary>Who the history names for changes made by alias following.</summary>
    public const string AliasFollowerName = "alias-follower";

    /// <summary>Replicas when a deploy names none: one per core, so a revision can use the whole machine.</summary>
    public static int DefaultReplicas { get; } = Math.Clamp(Environment.ProcessorCount, EndpointRules.MinReplicas, EndpointRules.MaxReplicas);

    private ChangeNote Note(string by, string reason) => new(string.IsNullOrWhiteSpace(by) ? "mlops" : by, Now(), reason);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
