using Mlops.Domain.Tracking;

namespace Mlops.Web.Components;

/// <summary>A chosen column of the runs table: a metric, param or tag key, written "m:key", "p:key" or "t:key" in URLs.</summary>
public readonly record struct RunColumn(char Kind, string Key)
{
    public string Token => $"{Kind}:{Key}";

    public string KindName => Kind switch { 'm' => "metric", 'p' => "param", _ => "tag" };

    /// <summary>The subject of an order-by clause of the API's search; null when the key cannot be quoted.</summary>
    public string? Subject => Key.Contains('`', StringComparison.Ordinal)
        ? null
        : $"{Kind switch { 'm' => "metrics", 'p' => "params", _ => "tags" }}.`{Key}`";

    public string Value(Run run)
    {
        var key = Key;
        return Kind switch
        {
            'm' => run.LatestMetrics.Where(m => m.Key == key).Select(m => Format.Number(m.Value)).FirstOrDefault() ?? "",
            'p' => run.Params.Where(p => p.Key == key).Select(p => p.Value).FirstOrDefault() ?? "",
            _ => run.Tags.Where(t => t.Key == key).Select(t => t.Value).FirstOrDefault() ?? "",
        };
    }

    public static RunColumn? Parse(string token) =>
        token.Length > 2 && token[1] == ':' && token[0] is 'm' or 'p' or 't' ? new RunColumn(token[0], token[2..]) : null;

    /// <summary>Every key present on the given runs, metrics first; system tags (mlflow.*) are left out.</summary>
    public static IReadOnlyList<RunColumn> Available(IEnumerable<Run> runs)
    {
        var list = runs.ToList();
        return list.SelectMany(r => r.LatestMetrics.Select(m => new RunColumn('m', m.Key)))
            .Concat(list.SelectMany(r => r.Params.Select(p => new RunColumn('p', p.Key))))
            .Concat(list.SelectMany(r => r.Tags.Where(t => !t.Key.StartsWith("mlflow.", StringComparison.Ordinal)).Select(t => new RunColumn('t', t.Key))))
            .Distinct()
            .OrderBy(c => c.Kind == 'm' ? 0 : c.Kind == 'p' ? 1 : 2).ThenBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
    }
}
