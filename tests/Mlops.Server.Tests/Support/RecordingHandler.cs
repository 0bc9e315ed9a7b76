using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Mlops.Server.Tests.Support;

/// <summary>Passes requests through to the real server and records what was sent (method, path, JSON body).</summary>
public sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public ConcurrentQueue<(string Method, string Path, JsonNode? Body)> Requests { get; } = new();

    public IReadOnlyList<JsonNode?> BodiesOf(string pathSuffix) =>
        Requests.Where(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).Select(r => r.Body).ToList();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        JsonNode? body = null;
        if (request.Content?.Headers.ContentType?.MediaType == "application/json")
        {
            body = JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
        }

        Requests.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
