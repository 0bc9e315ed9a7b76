using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Learning;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Learning;

[Collection(BreastCancerModelCollection.Name)]
public sealed class MlNetModelPackagerTests(BreastCancerModel trained) : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly TempFolder _temp = new();
    private readonly MlNetModelPackager _packager = new(new FixedTimeProvider(s_now));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Packages_a_trained_model_with_flavor_signature_input_example_and_hashes()
    {
        var folder = _temp.Combine("model");

        var descriptor = _packager.Save(trained.Ml, trained.Model, trained.InputSchema, folder, "run42", trained.FirstRowExample());

        Assert.Equal("run42", descriptor.RunId);
        Assert.Equal("model", descriptor.ArtifactPath);
        Assert.Equal(s_now, descriptor.UtcTimeCreated);
        Assert.Equal(32, descriptor.ModelUuid!.Length);
        Assert.Equal("input_example.json", descriptor.InputExampleFile);
        Assert.Equal(["input_example.json", "model.zip"], descriptor.FileHashes.Keys.Order(StringComparer.Ordinal));

        var flavor = Assert.Single(descriptor.Flavors.Values);
        Assert.Equal(ModelFlavor.MlNet, flavor.Name);
        Assert.Equal("model.zip", flavor.GetProperty(ModelFlavor.MlNetModelFileKey));
        Assert.StartsWith("5.", flavor.GetProperty(ModelFlavor.MlNetVersionKey), StringComparison.Ordinal);

        Assert.Equal(trained.FeatureNames.Select(n => new ColumnSpec(n, ColumnType.Float)), descriptor.Signature!.Inputs);
        Assert.Equal(
            [new ColumnSpec("PredictedLabel", ColumnType.Boolean), new ColumnSpec("Score", ColumnType.Float), new ColumnSpec("Probability", ColumnType.Float)],
            descriptor.Signature.Outputs);

        var verified = ModelPackage.Verify(folder);
        Assert.Equal(descriptor.FileHashes.OrderBy(p => p.Key), verified.FileHashes.OrderBy(p => p.Key));
        Assert.Equal(descriptor.Signature.Inputs, verified.Signature!.Inputs);
    }

    [Fact]
    public void Writes_the_input_example_as_an_mlflow_split_dataframe()
    {
        var folder = _temp.Combine("model");

        _packager.Save(trained.Ml, trained.Model, trained.InputSchema, folder, null, trained.FirstRowExample());

        using var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "input_example.json")));
        Assert.Equal(trained.FeatureNames, example.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var row = Assert.Single(example.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(trained.FirstRow, row.EnumerateArray().Select(v => v.GetSingle()));
        Assert.Contains("pandas_orient: split", File.ReadAllText(Path.Combine(folder, "MLmodel")), StringComparison.Ordinal);
    }

    [Fact]
    public void Leaves_out_the_input_example_when_none_is_given_and_takes_the_artifact_path_given()
    {
        var folder = _temp.Combine("local-folder");

        var descriptor = _packager.Save(trained.Ml, trained.Model, trained.InputSchema, folder, null, artifactPath: "models/classifier");

        Assert.Null(descriptor.InputExampleFile);
        Assert.Null(descriptor.RunId);
        Assert.Equal("models/classifier", descriptor.ArtifactPath);
        Assert.Equal(["model.zip"], descriptor.FileHashes.Keys);
        Assert.False(File.Exists(Path.Combine(folder, "input_example.json")));
    }

    [Fact]
    public void Refuses_a_folder_that_already_holds_files()
    {
        var folder = _temp.Combine("model");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "stray.pkl"), "not ours");

        var error = Assert.Throws<MlopsException>(() => _packager.Save(trained.Ml, trained.Model, trained.InputSchema, folder, "run42"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "model.zip")));
    }

    [Fact]
    public void Maps_ml_net_column_types_to_mlflow_column_types_and_notes_vectors()
    {
        var ml = new MLContext(seed: 1);
        var csv = _temp.Combine("data.csv");
        File.WriteAllText(csv, "1,2,3,abc,true,5,6,7.5,9\n");
        var loader = ml.Data.CreateTextLoader(
            [
                new TextLoader.Column("Features", DataKind.Single, 0, 2),
                new TextLoader.Column("Name", DataKind.String, 3),
                new TextLoader.Column("Flag", DataKind.Boolean, 4),
                new TextLoader.Column("Count", DataKind.Int32, 5),
                new TextLoader.Column("Big", DataKind.Int64, 6),
                new TextLoader.Column("Precise", DataKind.Double, 7),
                new TextLoader.Column("Small", DataKind.Byte, 8),
            ],
            separatorChar: ',');
        var data = loader.Load(csv);
        var model = ml.Transforms.CopyColumns("Copy", "Features").Fit(data);

        var descriptor = _packager.Save(ml, model, data.Schema, _temp.Combine("model"), "run1");

        Assert.Equal(
            [
                new ColumnSpec("Features", ColumnType.Float, Note: "vector of 3"),
                new ColumnSpec("Name", ColumnType.String),
                new ColumnSpec("Flag", ColumnType.Boolean),
                new ColumnSpec("Count", ColumnType.Integer),
                new ColumnSpec("Big", ColumnType.Long),
                new ColumnSpec("Precise", ColumnType.Double),
                new ColumnSpec("Small", ColumnType.Integer),
            ],
            descriptor.Signature!.Inputs);
        Assert.Empty(descriptor.Signature.Outputs);
    }
}
