using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Learning;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Learning;

[Collection(BreastCancerModelCollection.Name)]
public sealed class MlNetModelLoaderTests(BreastCancerModel trained) : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MlNetModelPackager _packager = new(new FixedTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    public void Dispose() => _temp.Dispose();

    private string SaveTrainedModel()
    {
        var folder = _temp.Combine("model");
        _packager.Save(trained.Ml, trained.Model, trained.InputSchema, folder, "run42", trained.FirstRowExample());
        return folder;
    }

    private static (bool[] Labels, float[] Scores, float[] Probabilities) Predict(ITransformer model, IDataView rows)
    {
        var predictions = model.Transform(rows);
        return (
            [.. predictions.GetColumn<bool>("PredictedLabel")],
            [.. predictions.GetColumn<float>("Score")],
            [.. predictions.GetColumn<float>("Probability")]);
    }

    [Fact]
    public void Loads_a_packaged_model_that_predicts_exactly_as_the_trained_one()
    {
        Assert.True(trained.Accuracy > 0.9, $"test-fold accuracy {trained.Accuracy}");
        var folder = SaveTrainedModel();
        ModelPackage.Verify(folder);

        var loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(folder);

        var rows = trained.Ml.Data.TakeRows(trained.Test, 20);
        var expected = Predict(trained.Model, rows);
        var actual = Predict(loaded.Model, rows);
        Assert.Equal(20, actual.Labels.Length);
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Probabilities, actual.Probabilities);
        Assert.Contains(actual.Labels, l => l);
        Assert.Contains(actual.Labels, l => !l);

        Assert.Equal(trained.FeatureNames, loaded.InputSchema.Select(c => c.Name));
        Assert.Equal("run42", loaded.Descriptor.RunId);
        Assert.Equal("model.zip", loaded.Descriptor.Flavors[ModelFlavor.MlNet].GetProperty(ModelFlavor.MlNetModelFileKey));
    }

    [Fact]
    public void Refuses_a_model_zip_with_one_flipped_byte_before_ml_net_reads_it()
    {
        var folder = SaveTrainedModel();
        var zip = Path.Combine(folder, "model.zip");
        var bytes = File.ReadAllBytes(zip);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(zip, bytes);

        // ML.NET reports what it loads through the context's log; a context that logs nothing was never asked to load.
        var ml = new MLContext(seed: 1);
        var messages = 0;
        ml.Log += (_, _) => Interlocked.Increment(ref messages);
        var error = Assert.Throws<MlopsException>(() => new MlNetModelLoader(ml).Load(folder));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("model.zip: content hash mismatch, expected ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, messages);
    }

    [Fact]
    public void The_ml_net_log_shows_a_load_when_the_package_is_intact()
    {
        // The counterpart of the tampered-byte test: it proves that a load would have been visible in the log.
        var folder = SaveTrainedModel();
        var ml = new MLContext(seed: 1);
        var messages = 0;
        ml.Log += (_, _) => Interlocked.Increment(ref messages);

        new MlNetModelLoader(ml).Load(folder);

        Assert.True(messages > 0);
    }

    [Fact]
    public void Refuses_a_package_without_an_mlnet_flavor_and_lists_the_flavors_present()
    {
        var folder = _temp.Combine("sklearn");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.pkl"), "pickle bytes that must never be loaded");
        ModelPackage.Seal(folder, new ModelDescriptor
        {
            UtcTimeCreated = DateTimeOffset.UnixEpoch,
            Flavors = ModelDescriptor.FlavorMap(
                new ModelFlavor("sklearn", new Dictionary<string, string> { ["pickled_model"] = "model.pkl" }),
                new ModelFlavor("python_function", new Dictionary<string, string> { ["loader_module"] = "mlflow.sklearn" })),
        });

        var error = Assert.Throws<MlopsException>(() => new MlNetModelLoader(new MLContext()).Load(folder));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.EndsWith("has no mlnet flavor; flavors present: python_function, sklearn.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_unsealed_package()
    {
        var folder = SaveTrainedModel();
        var descriptor = MlModelFile.Read(File.ReadAllText(Path.Combine(folder, "MLmodel")));
        File.WriteAllText(Path.Combine(folder, "MLmodel"), MlModelFile.Write(descriptor with { FileHashes = new Dictionary<string, string>() }));

        var error = Assert.Throws<MlopsException>(() => new MlNetModelLoader(new MLContext()).Load(folder));

        Assert.StartsWith("MLmodel: no file hashes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_sealed_model_file_that_ml_net_cannot_read_as_invalid()
    {
        var folder = _temp.Combine("broken");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.zip"), "this is not a zip archive");
        ModelPackage.Seal(folder, new ModelDescriptor { UtcTimeCreated = DateTimeOffset.UnixEpoch, Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForMlNet("5.0.1")) });

        var error = Assert.Throws<MlopsException>(() => new MlNetModelLoader(new MLContext()).Load(folder));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("model.zip: ML.NET could not load the model", error.Message, StringComparison.Ordinal);
    }
}
