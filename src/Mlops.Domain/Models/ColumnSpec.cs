namespace Mlops.Domain.Models;

/// <summary>
/// One column of a model signature, as MLflow's ColSpec: <paramref name="Type"/> is an MLflow column type name
/// (see <see cref="ColumnType"/>). <paramref name="Note"/> carries what MLflow's column types cannot say, such as
/// "vector of 30" for an ML.NET vector column; MLflow ignores the extra key when it reads the signature.
/// </summary>
public sealed record ColumnSpec(string Name, string Type, bool Required = true, string? Note = null);
