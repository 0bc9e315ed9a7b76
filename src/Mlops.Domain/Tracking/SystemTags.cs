namespace Mlops.Domain.Tracking;

/// <summary>Reserved tag keys with a meaning of their own (MLflow's mlflow.* tags).</summary>
public static class SystemTags
{
    public const string RunName = "mlflow.runName";
    public const string User = "mlflow.user";
    public const string ParentRunId = "mlflow.parentRunId";
    public const string LogModelHistory = "mlflow.log-model.history";
    public const string DatasetContext = "mlflow.data.context";
}
