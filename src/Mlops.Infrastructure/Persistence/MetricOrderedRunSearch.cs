namespace Mlops.Infrastructure.Persistence;

/// <summary>
/// A run search ordered first by a metric, as index-friendly queries instead of one sort over every match. The order is <see cref="SqlOrderBy.ForRuns"/>'s: the metric, runs without it last, then the other
/// terms and the tie-break. The runs that have the metric are read by walking the latest_metrics (key, value)
/// index in metric order, joined to their run and filtered on the way, so a top-100 stops after about 100
/// matches; the runs without it sort after all of those, so they are read only when the page reaches past them.
/// </summary>
/// <remarks>
/// Only the PostgreSQL store uses it. Its cost-based planner still starts from a selective filter's index when
/// that is cheaper; SQLite's planner would always walk the metric index (EXISTS predicates never drive its
/// plan), which turns a search matching 14 of 100,000 runs from 0.2 s into 1.3 s (bench/RESULTS.md).
/// </remarks>
/// <param name="Scope">The WHERE predicate on runs (alias r): experiments, view type and filter.</param>
/// <param name="KeyParameter">The bound parameter holding the metric key.</param>
/// <param name="Direction">ASC or DESC.</param>
/// <param name="Rest">The ORDER BY terms after the metric, ending with the tie-break.</param>
public sealed record MetricOrderedRunSearch(string Scope, string KeyParameter, string Direction, string Rest)
{
    private string WithMetric => $"JOIN latest_metrics o ON o.run_pk = r.run_pk AND o.key = {KeyParameter} AND o.is_nan = 0 WHERE {Scope}";

    /// <summary>
    /// Reads the page at <paramref name="offset"/>. <paramref name="read"/> runs <c>SELECT ... FROM runs r {tail}</c>
    /// where the tail ends with <c>LIMIT {limit} OFFSET {offset}</c> written with <paramref name="limitParameter"/> and
    /// <paramref name="offsetParameter"/>, bound to the values passed; <paramref name="count"/> runs a COUNT query.
    /// </summary>
    public async Task<List<T>> ReadAsync<T>(int limit, long offset, string limitParameter, string offsetParameter,
        Func<string, long, long, Task<List<T>>> read, Func<string, Task<long>> count)
    {
        var page = await read($"{WithMetric} ORDER BY o.value {Direction}, {Rest} LIMIT {limitParameter} OFFSET {offsetParameter}", limit, offset);
        if (page.Count == limit)
        {
            return page;
        }

        // How many runs without the metric to skip depends on how many have it, which the first page tells
        // unless the offset went past all of them.
        var skip = 0L;
        if (page.Count == 0 && offset > 0)
        {
            skip = offset - await count($"SELECT COUNT(*) FROM runs r {WithMetric}");
        }

        page.AddRange(await read(
            $"WHERE {Scope} AND NOT EXISTS (SELECT 1 FROM latest_metrics o WHERE o.run_pk = r.run_pk AND o.key = {KeyParameter} AND o.is_nan = 0) " +
            $"ORDER BY {Rest} LIMIT {limitParameter} OFFSET {offsetParameter}",
            limit - page.Count, skip));
        return page;
    }
}
