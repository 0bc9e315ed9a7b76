using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>
/// A logistic regression trained once on samples/data/breast_cancer.csv and shared by the learning tests,
/// so each test checks packaging and loading rather than paying for training again.
/// </summary>
public sealed class BreastCancerModel
{
    public BreastCancerModel()
    {
        var path = SampleData.PathOf("breast_cancer.csv");
        var header = File.ReadLines(path).First().Split(',');
        FeatureNames = header[..^1];
        FirstRow = File.ReadLines(path).Skip(1).First().Split(',')[..^1].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        var features = FeatureNames.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i)).ToArray();
        var data = Ml.Data.LoadFromTextFile(path, [.. features, new TextLoader.Column("Label", DataKind.Boolean, features.Length)], separatorChar: ',', hasHeader: true);

        // What a caller supplies at prediction time: the features without the label.
        InputSchema = Ml.Data.CreateTextLoader(features, separatorChar: ',', hasHeader: true).GetOutputSchema();

        var split = Ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 7);
        Test = split.TestSet;
        var pipeline = Ml.Transforms.Concatenate("Features", FeatureNames)
            .Append(Ml.Transforms.NormalizeMinMax("Features"))
            .Append(Ml.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));
        Model = pipeline.Fit(split.TrainSet);
        Accuracy = Ml.BinaryClassification.Evaluate(Model.Transform(Test), labelColumnName: "Label").Accuracy;
    }

    public MLContext Ml { get; } = new(seed: 7);

    public string[] FeatureNames { get; }

    public float[] FirstRow { get; }

    public DataViewSchema InputSchema { get; }

    public IDataView Test { get; }

    public ITransformer Model { get; }

    public double Accuracy { get; }

    public IReadOnlyDictionary<string, object?> FirstRowExample() =>
        FeatureNames.Zip(FirstRow).ToDictionary(p => p.First, p => (object?)p.Second);
}
