using Mlops.Domain.Optimization.Samplers.Gp;

namespace Mlops.Domain.Tests.Optimization.Samplers.Gp;

public sealed class GaussianProcessTests
{
    private static (List<double[]> X, List<double> Y) Data(int n, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, n).Select(_ => new[] { random.NextDouble(), random.NextDouble() }).ToList();
        var y = x.Select(p => Math.Sin(6 * p[0]) + (0.5 * Math.Cos(4 * p[1]))).ToList();
        var mean = y.Average();
        var scale = Math.Sqrt(y.Sum(v => (v - mean) * (v - mean)) / y.Count);
        return (x, y.Select(v => (v - mean) / scale).ToList());
    }

    [Fact]
    public void Interpolates_its_training_points_of_a_noise_free_function()
    {
        var (x, y) = Data(25, 1);
        var gp = GaussianProcess.Fit(x, y, [false, false]);

        Assert.True(gp.Parameters.NoiseVariance < 1e-3, $"noise {gp.Parameters.NoiseVariance}");
        for (var i = 0; i < x.Count; i++)
        {
            var (mean, variance) = gp.Predict(x[i]);
            Assert.Equal(y[i], mean, 0.05);
            Assert.True(variance < 0.01, $"variance {variance} at a training point");
        }
    }

    [Fact]
    public void Is_more_uncertain_away_from_the_data_and_reverts_to_the_prior_far_away()
    {
        var x = new List<double[]> { new[] { 0.1, 0.1 }, new[] { 0.2, 0.15 }, new[] { 0.15, 0.3 } };
        var y = new List<double> { -1.0, 0.5, 0.5 };
        var gp = GaussianProcess.Condition(x, y, [false, false], new GpKernelParameters([10.0, 10.0], 1.0, 1e-6));

        var near = gp.Predict([0.12, 0.12]);
        var far = gp.Predict([0.95, 0.95]);
        Assert.True(near.Variance < far.Variance);
        Assert.Equal(0, far.Mean, 0.05);
        Assert.Equal(1, far.Variance, 0.05);
    }

    [Fact]
    public void Extending_a_model_matches_conditioning_on_all_points_at_once()
    {
        var (x, y) = Data(30, 2);
        var parameters = new GpKernelParameters([3.0, 5.0], 1.2, 1e-4);
        var whole = GaussianProcess.Condition(x, y, [false, false], parameters);
        var extended = GaussianProcess.Condition(x.Take(20).ToList(), y.Take(20).ToList(), [false, false], parameters).Extend(x.Skip(20).ToList(), y);

        Assert.True(GaussianProcess.Condition(x.Take(20).ToList(), y.Take(20).ToList(), [false, false], parameters).IsPrefixOf(x));
        foreach (var point in new[] { new[] { 0.3, 0.7 }, new[] { 0.9, 0.1 } })
        {
            Assert.Equal(whole.Predict(point).Mean, extended.Predict(point).Mean, 1e-9);
            Assert.Equal(whole.Predict(point).Variance, extended.Predict(point).Variance, 1e-9);
        }
    }

    [Fact]
    public void Fitting_prefers_a_short_length_scale_along_the_dimension_that_matters()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 30).Select(_ => new[] { random.NextDouble(), random.NextDouble() }).ToList();
        var y = x.Select(p => Math.Sin(8 * p[0])).ToList();

        var gp = GaussianProcess.Fit(x, y, [false, false]);

        Assert.True(gp.Parameters.InverseSquaredLengthScales[0] > 10 * gp.Parameters.InverseSquaredLengthScales[1]);
    }

    [Fact]
    public void A_categorical_input_separates_choices_that_behave_differently()
    {
        // y depends only on the choice (index 0 or 1); the continuous input is irrelevant.
        var x = new List<double[]>();
        var y = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            x.Add([i / 11.0, i % 2]);
            y.Add(i % 2 == 0 ? -1 : 1);
        }

        var gp = GaussianProcess.Fit(x, y, [false, true]);

        Assert.True(gp.Predict([0.5, 0]).Mean < -0.5);
        Assert.True(gp.Predict([0.5, 1]).Mean > 0.5);
    }
}
