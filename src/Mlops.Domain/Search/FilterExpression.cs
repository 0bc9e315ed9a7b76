namespace Mlops.Domain.Search;

/// <summary>What a filter term compares: a metric, a param, a tag, an attribute of the entity, or a dataset input.</summary>
public enum EntityKind
{
    Metric,
    Param,
    Tag,
    Attribute,
    Dataset,
}

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Like,
    ILike,
    NotLike,
    NotILike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

/// <summary>A parsed search filter: comparisons joined by AND and OR, grouped by parentheses.</summary>
public abstract record FilterExpression;

public sealed record AndExpression(IReadOnlyList<FilterExpression> Operands) : FilterExpression;

public sealed record OrExpression(IReadOnlyList<FilterExpression> Operands) : FilterExpression;

/// <summary>
/// One comparison such as <c>metrics.acc &gt; 0.9</c>. For attributes, <see cref="Key"/> is the canonical
/// attribute name (aliases resolved); <see cref="Value"/> is null for IS NULL / IS NOT NULL.
/// </summary>
public sealed record Comparison(EntityKind Entity, string Key, ComparisonOperator Operator, FilterValue? Value, int Position) : FilterExpression;

public abstract record FilterValue;

public sealed record NumberValue(double Value) : FilterValue;

public sealed record StringValue(string Value) : FilterValue;

public sealed record ListValue(IReadOnlyList<string> Values) : FilterValue;
