namespace Mlops.Domain.Training;

/// <summary>The metric names a spec can optimise, per task. They are also the keys the training job logs.</summary>
public static class TrainingMetrics
{
    public const string Auc = "auc";
    public const string Accuracy = "accuracy";
    public const string F1 = "f1";
    public const string LogLoss = "log_loss";
    public const string Auprc = "auprc";
    public const string MacroAccuracy = "macro_accuracy";
    public const string MicroAccuracy = "micro_accuracy";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string R2 = "r2";

    private static readonly string[] s_binary = [Auc, Accuracy, F1, LogLoss, Auprc];
    private static readonly string[] s_multiclass = [MacroAccuracy, MicroAccuracy, LogLoss];
    private static readonly string[] s_regression = [Rmse, Mae, R2];

    /// <summary>The metrics a spec may optimise for <paramref name="task"/>, the default first.</summary>
    public static IReadOnlyList<string> For(TrainingTask task) => task switch
    {
        TrainingTask.BinaryClassification => s_binary,
        TrainingTask.MulticlassClassification => s_multiclass,
        _ => s_regression,
    };

    public static string DefaultFor(TrainingTask task) => For(task)[0];

    /// <summary>Errors and losses go down as models improve; everything else goes up.</summary>
    public static bool HigherIsBetter(string metric) => metric is not (LogLoss or Rmse or Mae);
}
