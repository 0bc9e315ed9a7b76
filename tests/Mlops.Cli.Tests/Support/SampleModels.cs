namespace Mlops.Cli.Tests.Support;

/// <summary>The breast-cancer LightGBM model the serving tests need, trained and registered by `mlops train --wait`.</summary>
public static class SampleModels
{
    /// <summary>Writes a spec into <paramref name="home"/>, trains it on the server, and registers the model as <paramref name="model"/>@champion.</summary>
    public static async Task TrainAndRegisterAsync(string home, string trackingUri, string model, int iterations = 30)
    {
        var data = Path.Combine(StudiesCliTests.SamplesFolder, "data");
        var spec = Path.Combine(home, model + ".yaml");
        await File.WriteAllTextAsync(spec, $$$"""
            name: {{{model}}}
            experiment: {{{model}}}
            dataset: {path: '{{{Path.Combine(data, "breast_cancer.csv")}}}', label: label}
            task: binary
            trainer: {name: lightgbm, hyperparameters: {number_of_iterations: {{{iterations}}}}}
            validation: {method: holdout, holdout_fraction: 0.2, seed: 1}
            register: {model: {{{model}}}, alias: champion}
            """);
        (await MlopsCli.RunAsync(home, ["train", spec, "--wait", "--tracking-uri", trackingUri])).ShouldSucceed();
    }
}
