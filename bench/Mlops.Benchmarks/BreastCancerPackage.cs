using System.Globalization;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning.Training;

namespace Mlops.Benchmarks;

/// <summary>
/// The LightGBM breast cancer model package (30 number inputs; PredictedLabel, Score and Probability out; both the mlnet
/// and the onnx flavor), trained once per machine into the temp folder and reused by later benchmark processes, since
/// BenchmarkDotNet runs every case in a process of its own and training takes seconds.
/// </summary>
internal static class BreastCancerPackage
{
    public static string DataPath => Path.Combine(RepositoryRoot(), "samples", "data", "breast_cancer.csv");

    public static string Folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlops-bench-breast-cancer-lightgbm");
        if (File.Exists(Path.Combine(folder, "MLmodel")))
        {
            return folder;
        }

        // Train beside and rename, so a process that sees the folder sees a whole package.
        var staging = folder + "-" + Guid.NewGuid().ToString("N");
        var request = new MlNetTrainingRequest(DataPath, "label", null, [], [], [], ',', true, null, MlTask.Binary, MlTrainer.LightGbm,
            new Dictionary<string, object>(), false, 5, 0.2, 42);
        new MlNetTrainer(TimeProvider.System).Train(request, staging, "bench", _ => { }, (_, _) => { }, CancellationToken.None);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (File.Exists(Path.Combine(folder, "MLmodel")))
        {
            Directory.Delete(staging, recursive: true);
        }

        return folder;
    }

    /// <summary>The data's feature columns for <paramref name="rows"/> rows, cycling through the 569 data rows.</summary>
    public static ScoringBatch Batch(int rows)
    {
        var lines = File.ReadLines(DataPath).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var data = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var columns = new Dictionary<string, ScoringColumn>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length - 1; i++)
        {
            columns[header[i]] = new NumberColumn(header[i], [.. Enumerable.Range(0, rows).Select(r => float.Parse(data[r % data.Length][i], CultureInfo.InvariantCulture))]);
        }

        return new ScoringBatch(rows, columns);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }
}
