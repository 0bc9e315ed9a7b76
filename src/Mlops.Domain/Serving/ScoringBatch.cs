namespace Mlops.Domain.Serving;

/// <summary>
/// Rows to score, held column by column and already checked against the model's input signature: every column
/// the model needs is present with the right type, and all columns have <see cref="RowCount"/> values.
/// </summary>
public sealed class ScoringBatch(int rowCount, IReadOnlyDictionary<string, ScoringColumn> columns)
{
    public int RowCount { get; } = rowCount;

    public IReadOnlyDictionary<string, ScoringColumn> Columns { get; } = columns;
}

/// <summary>One input column's values; a missing number is NaN, a missing text is null.</summary>
public abstract record ScoringColumn(string Name);

public sealed record NumberColumn(string Name, float[] Values) : ScoringColumn(Name);

public sealed record TextColumn(string Name, string?[] Values) : ScoringColumn(Name);

public sealed record BooleanColumn(string Name, bool[] Values) : ScoringColumn(Name);

/// <summary>A model's answers, column by column (e.g. PredictedLabel, Score, Probability), one value per input row.</summary>
public sealed class ScoringResult(int rowCount, IReadOnlyList<ScoringColumn> columns)
{
    public int RowCount { get; } = rowCount;

    public IReadOnlyList<ScoringColumn> Columns { get; } = columns;
}
