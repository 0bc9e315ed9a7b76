using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Client;
using Mlops.Infrastructure.Learning;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

/// <summary>
/// The registry's whole path with a real model: train with ML.NET on the shipped breast cancer data, log the
/// package (model.zip + MLmodel with content hashes) as run artifacts, register it, point @champion at it,
/// resolve models:/name@champion through the server, download it and load it with the verified loader.
/// </summary>
public sealed class ModelRegistryEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mlops-e2e-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_trained_ml_net_model_is_logged_registered_resolved_by_alias_and_loaded()
    {
        using var client = new MlopsClient(new HttpClient { BaseAddress = server.BaseAddress }, ownsHttpClient: true);
        var (ml, model, inputSchema, rows) = Train();
        var experimentId = await client.GetOrCreateExperimentAsync("e2e-breast-cancer-" + Guid.NewGuid().ToString("N"));
        var run = await client.CreateRunAsync(experimentId, "lbfgs");
        await client.LogBatchAsync(run.Info.RunId, parameters: new Dictionary<string, string> { ["trainer"] = "LbfgsLogisticRegression" });

        var package = Path.Combine(_work, "package");
        new MlNetModelPackager(TimeProvider.System).Save(ml, model, inputSchema, package, run.Info.RunId);
        await client.UploadArtifactsAsync(run.Info.RunId, package, "model");
        await client.EndRunAsync(run.Info.RunId);

        var name = "breast-cancer-" + Guid.NewGuid().ToString("N")[..8];
        var version = await client.RegisterModelAsync($"runs:/{run.Info.RunId}/model", name);
        await client.SetRegisteredModelAliasAsync(name, "champion", version.Version);

        Assert.Equal("1", version.Version);
        Assert.Equal(run.Info.RunId, version.RunId);
        Assert.Contains(version.Tags!, t => t.Key == "mlops.flavors" && t.Value == "mlnet");
        var mlModelHash = version.Tags!.Single(t => t.Key == "mlops.mlmodel_sha256").Value;

        var downloaded = Path.Combine(_work, "downloaded");
        var resolved = await client.DownloadModelAsync($"models:/{name}@champion", downloaded);
        Assert.Equal("1", resolved.ModelVersion!.Version);
        Assert.Equal(version.Source, resolved.ArtifactUri);

        var loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(downloaded, mlModelHash);
        Assert.Equal(Scores(ml, model, rows), Scores(ml, loaded.Model, rows));

        var lineage = await client.GetModelLineageAsync(name, "1");
        Assert.Equal(run.Info.RunId, lineage.Run!.Info.RunId);
        Assert.Equal(experimentId, lineage.Experiment!.ExperimentId);
        Assert.Contains(lineage.Run.Data.Params!, p => p.Key == "trainer" && p.Value == "LbfgsLogisticRegression");
        Assert.Equal(30, lineage.Signature!.Inputs!.Count);
        Assert.Equal("mean_radius", lineage.Signature.Inputs[0].Name);
        Assert.All(lineage.Signature.Inputs, c => Assert.Equal("float", c.Type));
        Assert.Contains(lineage.Signature.Outputs!, c => c.Name == "Probability");
    }

    [Fact]
    public async Task A_model_file_changed_after_packaging_cannot_be_registered_or_loaded()
    {
        using var client = new MlopsClient(new HttpClient { BaseAddress = server.BaseAddress }, ownsHttpClient: true);
        var (ml, model, inputSchema, _) = Train();
        var experimentId = await client.GetOrCreateExperimentAsync("e2e-tamper-" + Guid.NewGuid().ToString("N"));
        var run = await client.CreateRunAsync(experimentId, "tamper");
        var package = Path.Combine(_work, "package");
        new MlNetModelPackager(TimeProvider.System).Save(ml, model, inputSchema, package, run.Info.RunId);
        await client.UploadArtifactsAsync(run.Info.RunId, package, "model");
        var name = "tamper-" + Guid.NewGuid().ToString("N")[..8];
        var version = await client.RegisterModelAsync($"runs:/{run.Info.RunId}/model", name);

        // Someone with access to the artifact folder swaps bytes of the registered model.
        var stored = Path.Combine(server.ArtifactsRoot, experimentId, run.Info.RunId, "artifacts", "model", "model.zip");
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(stored, bytes);

        var refused = await Assert.ThrowsAsync<MlopsApiException>(() => client.CreateModelVersionAsync(name, $"runs:/{run.Info.RunId}/model"));
        Assert.Equal("INVALID_PARAMETER_VALUE", refused.ErrorCode);
        Assert.Contains("model.zip: content hash mismatch", refused.Message, StringComparison.Ordinal);
        Assert.Single((await client.SearchModelVersionsAsync($"name = '{name}'")).ModelVersions!);

        var downloaded = Path.Combine(_work, "downloaded");
        await client.DownloadModelAsync($"models:/{name}/{version.Version}", downloaded);
        var error = Assert.Throws<Domain.Common.MlopsException>(() => new MlNetModelLoader(new MLContext(seed: 1)).Load(downloaded));
        Assert.Contains("model.zip", error.Message, StringComparison.Ordinal);
    }

    private static (MLContext Ml, ITransformer Model, DataViewSchema InputSchema, IDataView Rows) Train()
    {
        var path = SamplePath("breast_cancer.csv");
        var header = File.ReadLines(path).First().Split(',');
        var features = header[..^1].Select((n, i) => new TextLoader.Column(n, DataKind.Single, i)).ToArray();
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromTextFile(path, [.. features, new TextLoader.Column("Label", DataKind.Boolean, features.Length)], separatorChar: ',', hasHeader: true);
        var inputSchema = ml.Data.CreateTextLoader(features, separatorChar: ',', hasHeader: true).GetOutputSchema();
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 3);
        var model = ml.Transforms.Concatenate("Features", header[..^1])
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression())
            .Fit(split.TrainSet);
        var accuracy = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet)).Accuracy;
        Assert.True(accuracy > 0.9, "test accuracy " + accuracy.ToString(CultureInfo.InvariantCulture));
        return (ml, model, inputSchema, ml.Data.TakeRows(split.TestSet, 25));
    }

    private static float[] Scores(MLContext ml, ITransformer model, IDataView rows) =>
        [.. model.Transform(rows).GetColumn<float>("Score")];

    private static string SamplePath(string fileName)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return Path.Combine(directory.FullName, "samples", "data", fileName);
            }
        }

        throw new InvalidOperationException("samples/data not found above " + AppContext.BaseDirectory);
    }
}
