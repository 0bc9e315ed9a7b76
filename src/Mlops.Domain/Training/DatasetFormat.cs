namespace Mlops.Domain.Training;

/// <summary>The file format of a dataset, decided by the extension of its path.</summary>
public enum DatasetFormat
{
    Csv,
    Parquet,
}
