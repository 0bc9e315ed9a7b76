using System.Collections.Concurrent;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Registry;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Application.Serving;

/// <summary>A revision ready to answer: its loaded model behind its replica gate, and the parsing schema built from its signature.</summary>
public sealed record ServedRevision(int Number, ReplicaGate Gate, ScoringSchema Schema)
{
    public IPredictor Predictor => Gate.Predictor;
}

/// <summary>Where one request goes: the revision that answers it, the shadows that get a copy, and the endpoint's settings.</summary>
public sealed record RoutedRequest(ServedRevision Answer, RevisionRole Role, IReadOnlyList<ServedRevision> Shadows, EndpointSettings Settings);

/// <summary>
/// The models `mlops server` serves at /serving/{endpoint}/invocations. A revision is loaded, from the artifact
/// store into a local cache, and health-checked before it may take traffic; activation swaps an endpoint's routing
/// table atomically, so a request sees either the old configuration or the new one. After a restart an endpoint is
/// loaded from the store on its first request, and <see cref="RefreshAsync"/> picks up changes made by other servers
/// sharing the database.
/// </summary>
public sealed class EndpointHost(IDeploymentStore store, IArtifactStore artifacts, IModelRuntime runtime, ResolveModelUriUseCase resolve) : IDisposable
{
    private readonly ConcurrentDictionary<(string Endpoint, int Revision), ServedRevision> _loaded = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly string _cache = Directory.CreateTempSubdirectory("mlops-serving-").FullName;

    /// <summary>Loads the revision's model and scores its own input example; null when healthy, else why not.</summary>
    public async Task<string?> PrepareAsync(string endpoint, Revision revision, CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(endpoint, revision, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is MlopsException or InvalidOperationException or IOException or FormatException or ArgumentException)
        {
            return e.Message;
        }
    }

    /// <summary>Routes the endpoint's traffic to its live revisions and shadows, loading any not yet in memory and applying replica counts.</summary>
    public async Task ActivateAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var router = TrafficRouter.For(endpoint);
        var shadows = new List<ServedRevision>(router.Shadows.Count);
        foreach (var revision in router.Split)
        {
            (await LoadAsync(endpoint.Name, revision, cancellationToken)).Gate.Resize(revision.Replicas);
        }

        foreach (var revision in router.Shadows)
        {
            var served = await LoadAsync(endpoint.Name, revision, cancellationToken);
            served.Gate.Resize(revision.Replicas);
            shadows.Add(served);
        }

        _routes[endpoint.Name] = new Route(endpoint, router, shadows);
        var keep = router.Split.Concat(router.Shadows).Select(r => r.Number).Append(endpoint.Pending?.Number ?? 0).ToHashSet();
        foreach (var key in _loaded.Keys.Where(k => k.Endpoint == endpoint.Name && !keep.Contains(k.Revision)))
        {
            // Retired revisions are dropped once no longer routed; a request still holding one finishes with it.
            _loaded.TryRemove(key, out _);
        }
    }

    /// <summary>Where this request goes (weighted by traffic share), or null when the endpoint serves nothing.</summary>
    public async ValueTask<RoutedRequest?> RouteAsync(string endpoint, double draw, CancellationToken cancellationToken)
    {
        if (!_routes.TryGetValue(endpoint, out var route))
        {
            if (await store.GetEndpointAsync(endpoint, cancellationToken) is not { State: EndpointState.Active } stored)
            {
                return null;
            }

            await ActivateAsync(stored, cancellationToken);
            route = _routes[endpoint];
        }

        if (route.Router.Split.Count == 0)
        {
            return null;
        }

        var picked = route.Router.Pick(draw);
        return _loaded.TryGetValue((endpoint, picked.Number), out var answer)
            ? new RoutedRequest(answer, picked.Role, route.Shadows, route.Endpoint.Settings)
            : null;
    }

    /// <summary>
    /// Re-reads every endpoint this host routes and re-activates those that changed in the store, e.g. through another
    /// server on the same database; run periodically. Returns how many changed.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var (name, route) in _routes)
        {
            var stored = await store.GetEndpointAsync(name, cancellationToken);
            if (stored is null)
            {
                _routes.TryRemove(name, out _);
                continue;
            }

            if (!SameConfiguration(stored, route.Endpoint))
            {
                await ActivateAsync(stored, cancellationToken);
                changed++;
            }
        }

        return changed;
    }

    public void Dispose()
    {
        foreach (var served in _loaded.Values)
        {
            served.Predictor.Dispose();
        }

        Directory.Delete(_cache, recursive: true);
    }

    // Records hold lists, which compare by reference; the history only grows, so its length and the revision states tell.
    private static bool SameConfiguration(Endpoint a, Endpoint b) =>
        a.State == b.State && a.Settings == b.Settings && a.History.Count == b.History.Count && a.Revisions.SequenceEqual(b.Revisions);

    private async Task<ServedRevision> LoadAsync(string endpoint, Revision revision, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue((endpoint, revision.Number), out var ready))
        {
            return ready;
        }

        // A revision serves what its URI resolved to when it was deployed, even if the alias has moved since.
        var uri = revision.ResolvedModel is { } model ? $"models:/{model.Name}/{model.Version}" : revision.ModelUri;
        var resolved = await resolve.ExecuteAsync(uri, cancellationToken);
        var folder = Path.Combine(_cache, endpoint, revision.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await DownloadAsync(resolved.Path, folder, cancellationToken);
        var hash = resolved.Version?.Tags.Where(t => t.Key == RegisterModelVersionUseCase.MlModelSha256Tag).Select(t => t.Value).FirstOrDefault();
        var predictor = runtime.Load(folder, hash);
        try
        {
            PredictorHealthCheck.Run(predictor, folder);
        }
        catch
        {
            predictor.Dispose();
            throw;
        }

        var served = new ServedRevision(revision.Number, new ReplicaGate(predictor, revision.Replicas), ScoringSchema.From(predictor.Signature));
        return _loaded.GetOrAdd((endpoint, revision.Number), served);
    }

    private async Task DownloadAsync(ArtifactPath folder, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in await artifacts.ListAsync(folder, cancellationToken))
        {
            var path = ArtifactPath.Parse(entry.Path);
            var name = entry.Path[(entry.Path.LastIndexOf('/') + 1)..];
            if (entry.IsDirectory)
            {
                await DownloadAsync(path, Path.Combine(target, name), cancellationToken);
                continue;
            }

            await using var source = await artifacts.OpenReadAsync(path, cancellationToken);
            await using var file = File.Create(Path.Combine(target, name));
            await source.CopyToAsync(file, cancellationToken);
        }
    }

    private sealed record Route(Endpoint Endpoint, TrafficRouter Router, IReadOnlyList<ServedRevision> Shadows);
}
