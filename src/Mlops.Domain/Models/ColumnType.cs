namespace Mlops.Domain.Models;

/// <summary>MLflow's scalar column type names, as they appear in an MLmodel signature.</summary>
public static class ColumnType
{
    public const string Boolean = "boolean";
    public const string Integer = "integer";
    public const string Long = "long";
    public const string Float = "float";
    public const string Double = "double";
    public const string String = "string";
    public const string Binary = "binary";
    public const string DateTime = "datetime";

    public static IReadOnlySet<string> All { get; } =
        new HashSet<string>([Boolean, Integer, Long, Float, Double, String, Binary, DateTime], StringComparer.Ordinal);
}
