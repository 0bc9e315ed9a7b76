namespace Mlops.Infrastructure.Learning.Data;

/// <summary>What a training run records about its data: size, a content hash and per-column statistics.</summary>
public sealed record DataProfile(long Rows, string Sha256, IReadOnlyList<ColumnProfile> Columns);

/// <summary>Statistics of one column; numeric ones have min/max/mean/std, text ones a distinct count.</summary>
public sealed record ColumnProfile(string Name, bool Numeric, long Missing, double? Min, double? Max, double? Mean, double? StdDev, long? Distinct);
