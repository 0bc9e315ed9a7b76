using Mlops.Infrastructure.Learning.Training;

namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>
/// One LightGBM training (default hyperparameters, seed 42) on the shipped breast cancer data and folds, shared by
/// the tests that only read its result or its package, so the class trains it once.
/// </summary>
public sealed class LightGbmBreastCancerTraining : IDisposable
{
    private readonly TempFolder _temp = new();

    public LightGbmBreastCancerTraining()
    {
        PackageFolder = _temp.Combine("package");
        Result = new MlNetTrainer(TimeProvider.System).Train(Request, PackageFolder, "run-77", _ => { }, (_, _) => { }, CancellationToken.None);
    }

    public static MlNetTrainingRequest Request { get; } = new(
        SampleData.PathOf("breast_cancer.csv"), "label", null, [], [], [], ',', true, SampleData.PathOf("breast_cancer.folds.csv"),
        MlTask.Binary, MlTrainer.LightGbm, new Dictionary<string, object>(), true, 5, 0.2, 42);

    public string PackageFolder { get; }

    public MlNetTrainingResult Result { get; }

    public void Dispose() => _temp.Dispose();
}
