using Mlops.Client;

namespace Mlops.Server.Tests.Support;

/// <summary>The repository's sample data and the LightGBM model the serving tests train from it through real jobs.</summary>
public static class ServingSamples
{
    public static string Repository { get; } = FindRepository();

    public static string BreastCancerCsv => Path.Combine(Repository, "samples", "data", "breast_cancer.csv");

    /// <summary>The header and the first patient, as a text/csv scoring body.</summary>
    public static string CsvRow()
    {
        var rows = File.ReadLines(BreastCancerCsv).Take(2).ToArray();
        return rows[0] + "\n" + rows[1] + "\n";
    }

    /// <summary>Trains a LightGBM version of <paramref name="model"/> with a real job, registers it, and returns its run id.</summary>
    public static async Task<string> TrainAsync(MlopsClient client, string model, int iterations)
    {
        var spec = $$$"""
            name: {{{model}}}-{{{iterations}}}
            experiment: {{{model}}}
            dataset: {path: '{{{BreastCancerCsv}}}', label: label}
            task: binary
            trainer: {name: lightgbm, hyperparameters: {number_of_iterations: {{{iterations}}}}}
            validation: {method: holdout, holdout_fraction: 0.2, seed: 1}
            register: {model: {{{model}}}}
            """;
        var job = await client.WaitForJobAsync((await client.SubmitTrainingAsync(spec)).Id);
        Assert.True(job.Status == "succeeded", $"training job {job.Id} {job.Status}: {job.Error}");
        using var result = System.Text.Json.JsonDocument.Parse(job.Result!);
        return result.RootElement.GetProperty("run_id").GetString()!;
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No Mlops.slnx above the test assembly.");
    }
}
