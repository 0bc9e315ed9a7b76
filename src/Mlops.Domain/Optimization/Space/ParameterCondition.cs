namespace Mlops.Domain.Optimization.Space;

/// <summary>A parameter that exists only when a categorical parent takes one of the given choices.</summary>
public sealed record ParameterCondition(string Parent, IReadOnlyList<object> Values);
