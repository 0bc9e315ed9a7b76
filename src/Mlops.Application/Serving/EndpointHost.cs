using System.Collections.Concurrent;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Registry;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Application.Serving;

/// <summary>A revision ready to answer: its loaded model and the parsing schema built from its signature.</summary>
public sealed record ServedRevision(int Number, IPredictor Predictor, ScoringSchema Schema);

/// <summary>
/// The models `mlops server` serves at /serving/{endpoint}/invocations. A revision is loaded, from the artifact
/// store into a local cache, and health-checked before it may take traffic; activation swaps an endpoint's routing
/// table atomically, so a request sees either the old split or the new one. After a restart an endpoint is loaded
/// from the store on its first request.
/// </summary>
public sealed class EndpointHost(IDeploymentStore store, IArtifactStore artifacts, IModelRuntime runtime, ResolveModelUriUseCase resolve) : IDisposable
{
    private readonly ConcurrentDictionary<(string Endpoint, int Revision), ServedRevision> _loaded = new();
    private readonly ConcurrentDictionary<string, TrafficRouter> _routes = new(StringComparer.Ordinal);
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

    /// <summary>Routes the endpoint's traffic to its live revisions, loading any not yet in memory.</summary>
    public async Task ActivateAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        var router = TrafficRouter.For(endpoint);
        foreach (var revision in router.Split)
        {
            await LoadAsync(endpoint.Name, revision, cancellationToken);
        }

        _routes[endpoint.Name] = router;
        var keep = router.Split.Select(r => r.Number).Append(endpoint.Pending?.Number ?? 0).ToHashSet();
        foreach (var key in _loaded.Keys.Where(k => k.Endpoint == endpoint.Name && !keep.Contains(k.Revision)))
        {
            // Retired revisions are dropped once no longer routed; a request still holding one finishes with it.
            _loaded.TryRemove(key, out _);
        }
    }

    /// <summary>The revision that answers this request (weighted by traffic share), or null when the endpoint serves nothing.</summary>
    public async Task<ServedRevision?> RouteAsync(string endpoint, double draw, CancellationToken cancellationToken)
    {
        if (!_routes.TryGetValue(endpoint, out var router))
        {
            if (await store.GetEndpointAsync(endpoint, cancellationToken) is not { State: EndpointState.Active } stored)
            {
                return null;
            }

            await ActivateAsync(stored, cancellationToken);
            router = _routes[endpoint];
        }

        return router.Split.Count == 0 ? null : _loaded.GetValueOrDefault((endpoint, router.Pick(draw).Number));
    }

    public void Dispose()
    {
        foreach (var served in _loaded.Values)
        {
            served.Predictor.Dispose();
        }

        Directory.Delete(_cache, recursive: true);
    }

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

        var served = new ServedRevision(revision.Number, predictor, ScoringSchema.From(predictor.Signature));
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
}
