using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Learning.Serving;
using Mlops.Infrastructure.Learning.Serving.Onnx;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Learning.Serving;

/// <summary>Which runtime serves a package: ML.NET when it has the mlnet flavor, ONNX Runtime when it has only onnx, or as asked.</summary>
public sealed class ModelRuntimeTests(LightGbmBreastCancerTraining breastCancer) : IClassFixture<LightGbmBreastCancerTraining>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Auto_serves_a_package_with_both_flavors_with_ml_net()
    {
        using var predictor = new ModelRuntime().Load(breastCancer.PackageFolder, null);

        Assert.IsType<MlNetPredictor>(predictor);
    }

    [Fact]
    public void Auto_serves_a_package_with_only_the_onnx_flavor_with_onnx_runtime_and_mlnet_is_refused_for_it()
    {
        var folder = OnnxOnlyPackage();

        using var predictor = new ModelRuntime(ServingFlavor.Auto).Load(folder, ModelPackage.HashFile(Path.Combine(folder, "MLmodel")));
        var error = Assert.Throws<MlopsException>(() => new ModelRuntime(ServingFlavor.MlNet).Load(folder, null));

        Assert.IsType<OnnxPredictor>(predictor);
        Assert.Equal(3, predictor.Predict(OneRow(predictor)).Columns.Count);
        Assert.Contains("has no mlnet flavor; flavors present: onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_flavor_is_used_even_when_auto_would_pick_the_other()
    {
        using var predictor = new ModelRuntime(ServingFlavor.Onnx).Load(breastCancer.PackageFolder, null);

        Assert.IsType<OnnxPredictor>(predictor);
    }

    [Fact]
    public void Auto_checks_the_registered_mlmodel_hash_before_choosing()
    {
        var error = Assert.Throws<MlopsException>(() => new ModelRuntime().Load(breastCancer.PackageFolder, new string('0', 64)));

        Assert.StartsWith("MLmodel: content hash mismatch", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", ServingFlavor.Auto)]
    [InlineData("mlnet", ServingFlavor.MlNet)]
    [InlineData("ONNX", ServingFlavor.Onnx)]
    public void Flavor_names_parse(string name, ServingFlavor expected) => Assert.Equal(expected, ServingFlavors.Parse(name));

    [Fact]
    public void An_unknown_flavor_name_is_refused_listing_the_known_ones()
    {
        var error = Assert.Throws<MlopsException>(() => ServingFlavors.Parse("tensorflow"));

        Assert.Equal("Unknown model flavor 'tensorflow'; use one of auto, mlnet, onnx.", error.Message);
    }

    /// <summary>The trained package's ONNX export and signature, sealed as a package of its own without model.zip.</summary>
    private string OnnxOnlyPackage()
    {
        var source = ModelPackage.Verify(breastCancer.PackageFolder);
        var folder = _temp.Combine("onnx-only");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(breastCancer.PackageFolder, ModelFlavor.OnnxModelFile), Path.Combine(folder, ModelFlavor.OnnxModelFile));
        ModelPackage.Seal(folder, new ModelDescriptor
        {
            UtcTimeCreated = DateTimeOffset.UnixEpoch,
            Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForOnnx()),
            Signature = source.Signature,
        });
        return folder;
    }

    private static Domain.Serving.ScoringBatch OneRow(Application.Ports.IPredictor predictor) =>
        new(1, predictor.Signature.Inputs.ToDictionary(c => c.Name, c => (Domain.Serving.ScoringColumn)new Domain.Serving.NumberColumn(c.Name, [1f])));
}
