using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Application.Ports;

/// <summary>A validated run search: filter and order already parsed, limits already applied.</summary>
public sealed record RunQuery(
    IReadOnlyList<string> ExperimentIds,
    FilterExpression? Filter,
    IReadOnlyList<OrderBy> OrderBy,
    ViewType ViewType,
    int MaxResults,
    long Offset);

public sealed record ExperimentQuery(
    FilterExpression? Filter,
    IReadOnlyList<OrderBy> OrderBy,
    ViewType ViewType,
    int MaxResults,
    long Offset);

/// <summary>A page of store results; <see cref="HasMore"/> tells the caller whether to hand out a next-page token.</summary>
public sealed record StorePage<T>(IReadOnlyList<T> Items, bool HasMore);
