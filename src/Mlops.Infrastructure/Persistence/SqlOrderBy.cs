using Mlops.Domain.Search;

namespace Mlops.Infrastructure.Persistence;

/// <summary>
/// ORDER BY clauses for searches. Missing values sort last whatever the direction, and a stable tie-break
/// (start time, then id) keeps offset paging consistent.
/// </summary>
public static class SqlOrderBy
{
    public static string ForRuns(IReadOnlyList<OrderBy> orderBy, SqlFilterCompiler compiler)
    {
        var terms = new List<string>();
        var hasStartTime = false;
        foreach (var term in orderBy)
        {
            var direction = term.Ascending ? "ASC" : "DESC";
            string expression;
            switch (term.Entity)
            {
                case EntityKind.Attribute:
                    expression = SqlEntityMap.Runs.AttributeColumn(term.Key);
                    hasStartTime |= term.Key == "start_time";
                    break;
                case EntityKind.Metric:
                    expression = $"(SELECT x.value FROM latest_metrics x WHERE x.run_pk = r.run_pk AND x.key = {compiler.Bind(term.Key)} AND x.is_nan = 0)";
                    break;
                case EntityKind.Param:
                    expression = $"(SELECT x.value FROM params x WHERE x.run_pk = r.run_pk AND x.key = {compiler.Bind(term.Key)})";
                    break;
                default:
                    expression = $"(SELECT x.value FROM tags x WHERE x.run_pk = r.run_pk AND x.key = {compiler.Bind(term.Key)})";
                    break;
            }

            terms.Add($"{expression} {direction} NULLS LAST");
        }

        if (!hasStartTime)
        {
            terms.Add("r.start_time DESC");
        }

        terms.Add("r.run_uuid ASC");
        return string.Join(", ", terms);
    }

    /// <summary>Order for entities with attributes and tags only (registered models, model versions).</summary>
    public static string ForTagged(SqlEntityMap map, IReadOnlyList<OrderBy> orderBy, SqlFilterCompiler compiler, string tieBreak)
    {
        var terms = new List<string>();
        foreach (var term in orderBy)
        {
            var direction = term.Ascending ? "ASC" : "DESC";
            var expression = term.Entity == EntityKind.Attribute
                ? map.AttributeColumn(term.Key)
                : $"(SELECT x.value FROM {map.TagTable} x WHERE x.{map.OwnerColumn} = {map.OwnerAlias}.{map.OwnerColumn} AND x.key = {compiler.Bind(term.Key)})";
            terms.Add($"{expression} {direction} NULLS LAST");
        }

        terms.Add(tieBreak);
        return string.Join(", ", terms);
    }

    public static string ForExperiments(IReadOnlyList<OrderBy> orderBy, SqlFilterCompiler compiler)
    {
        var terms = new List<string>();
        foreach (var term in orderBy)
        {
            var direction = term.Ascending ? "ASC" : "DESC";
            var expression = term.Entity == EntityKind.Attribute
                ? SqlEntityMap.Experiments.AttributeColumn(term.Key)
                : $"(SELECT x.value FROM experiment_tags x WHERE x.experiment_id = e.experiment_id AND x.key = {compiler.Bind(term.Key)})";
            terms.Add($"{expression} {direction} NULLS LAST");
        }

        terms.Add("e.creation_time DESC");
        terms.Add("e.experiment_id ASC");
        return string.Join(", ", terms);
    }
}
