using Mlops.Domain.Artifacts;
using Mlops.Domain.Models;

namespace Mlops.Domain.Training;

/// <summary>
/// Where the training data is and what role each column plays. Column names are matched exactly (ordinal), as CSV
/// headers are. Columns that are neither label, feature nor ignored are not read.
/// </summary>
public sealed record DatasetSpec
{
    public const char DefaultSeparator = ',';

    /// <summary>A local CSV or Parquet file, or an artifact URI: <c>runs:/&lt;run_id&gt;/&lt;path&gt;</c> or <c>mlflow-artifacts:/&lt;path&gt;</c>.</summary>
    public required string Path { get; init; }

    public required string Label { get; init; }

    /// <summary>The feature columns; null means every column except the label and the ignored ones.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns one-hot encoded as categories, even when their values look numeric.</summary>
    public IReadOnlyList<string> Categorical { get; init; } = [];

    /// <summary>Free-text columns, featurized as text.</summary>
    public IReadOnlyList<string> Text { get; init; } = [];

    /// <summary>Columns never used as features (ids, leaks, timestamps).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>The CSV field separator; ignored for Parquet.</summary>
    public char Separator { get; init; } = DefaultSeparator;

    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// An optional CSV of <c>row,fold</c> pairs (row numbers from 0, folds from 0) that fixes the k-fold split, so
    /// results can be compared with another tool on exactly the same folds.
    /// </summary>
    public string? FoldsFile { get; init; }

    public DatasetFormat Format => FormatOf(Path);

    public bool IsArtifactUri => IsArtifactLocation(Path);

    public static bool IsArtifactLocation(string path) =>
        path.StartsWith(ModelUri.RunsScheme, StringComparison.Ordinal) || path.StartsWith(ArtifactUri.Scheme, StringComparison.Ordinal);

    public static DatasetFormat FormatOf(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase)
            ? DatasetFormat.Parquet
            : DatasetFormat.Csv;
}
