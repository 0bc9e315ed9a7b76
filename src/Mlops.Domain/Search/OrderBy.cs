namespace Mlops.Domain.Search;

/// <summary>One order-by term: <c>metrics.acc DESC</c>, <c>attributes.start_time</c>, <c>params.lr ASC</c>.</summary>
public sealed record OrderBy(EntityKind Entity, string Key, bool Ascending);
