namespace Mlops.Domain.Models;

/// <summary>The input and output schema of a model (MLflow's column-based signature).</summary>
public sealed record ModelSignature(IReadOnlyList<ColumnSpec> Inputs, IReadOnlyList<ColumnSpec> Outputs);
