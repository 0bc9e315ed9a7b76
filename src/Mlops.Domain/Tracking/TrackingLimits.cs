namespace Mlops.Domain.Tracking;

/// <summary>MLflow's documented limits, enforced here so the API, the CLI and the worker agree.</summary>
public static class TrackingLimits
{
    public const int MaxMetricsPerBatch = 1000;
    public const int MaxParamsPerBatch = 100;
    public const int MaxTagsPerBatch = 100;
    public const int MaxEntitiesPerBatch = 1000;
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 5000;
    public const int MaxExperimentTagValueLength = 5000;
    public const int MaxExperimentNameLength = 256;
    public const int MaxRunNameLength = 250;
    public const int MaxUserIdLength = 256;
    public const int MaxDatasetsPerInputs = 1000;
    public const int MaxDatasetNameLength = 500;
    public const int MaxDatasetDigestLength = 36;
    public const int MaxDatasetSchemaLength = 65535;
    public const int MaxDatasetProfileLength = 16 * 1024 * 1024;
    public const int MaxInputTagKeyLength = 255;
    public const int MaxInputTagValueLength = 500;
    public const int MaxSearchRunsResults = 50_000;
    public const int DefaultSearchRunsResults = 1000;
    public const int MaxSearchExperimentsResults = 50_000;
    public const int DefaultSearchExperimentsResults = 1000;
    public const int MaxMetricHistoryPage = 100_000;
}
