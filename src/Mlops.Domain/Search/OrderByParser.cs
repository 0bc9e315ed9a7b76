using Mlops.Domain.Common;

namespace Mlops.Domain.Search;

/// <summary>Parses order-by clauses such as <c>metrics.acc DESC</c> or <c>attributes.start_time</c>.</summary>
public static class OrderByParser
{
    public static IReadOnlyList<OrderBy> Parse(IEnumerable<string>? clauses, SearchTarget target)
    {
        var result = new List<OrderBy>();
        if (clauses is null)
        {
            return result;
        }

        foreach (var raw in clauses)
        {
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            result.Add(ParseOne(raw.Trim(), target));
        }

        return result;
    }

    private static OrderBy ParseOne(string clause, SearchTarget target)
    {
        var ascending = true;
        var subject = clause;
        var lastSpace = clause.LastIndexOf(' ');
        if (lastSpace > 0)
        {
            var direction = clause[(lastSpace + 1)..];
            if (direction.Equals("ASC", StringComparison.OrdinalIgnoreCase) || direction.Equals("DESC", StringComparison.OrdinalIgnoreCase))
            {
                ascending = direction.Equals("ASC", StringComparison.OrdinalIgnoreCase);
                subject = clause[..lastSpace].TrimEnd();
            }
        }

        // Reuse the filter grammar for the identifier so quoting rules are the same in both places.
        var probe = SearchFilterParser.Parse(subject + (IsNumericSubject(subject, target) ? " = 0" : " = ''"), target)
            ?? throw Invalid(clause, "it is empty");
        if (probe is not Comparison comparison)
        {
            throw Invalid(clause, "expected one identifier followed by an optional ASC or DESC");
        }

        if (comparison.Entity == EntityKind.Dataset)
        {
            throw Invalid(clause, "ordering by dataset fields is not supported");
        }

        return new OrderBy(comparison.Entity, comparison.Key, ascending);
    }

    private static bool IsNumericSubject(string subject, SearchTarget target)
    {
        var dot = subject.IndexOf('.');
        var prefix = dot < 0 ? "" : subject[..dot].ToLowerInvariant();
        if (prefix is "metric" or "metrics")
        {
            return true;
        }

        var name = dot < 0 ? subject : subject[(dot + 1)..];
        return (prefix is "" or "attribute" or "attributes" or "attr" or "run")
            && target.TryGetAttribute(name.Trim('`', '"'), out _, out var type) && type == AttributeType.Number;
    }

    private static MlopsException Invalid(string clause, string why) =>
        MlopsException.Invalid($"Invalid order_by clause '{clause}': {why}.");
}
