using Mlops.Domain.Optimization.Samplers.Gp;

namespace Mlops.Domain.Tests.Optimization.Samplers.Gp;

public sealed class LogExpectedImprovementTests
{
    // Reference values of log h(z), h(z) = φ(z) + zΦ(z), and of Φ(z)/h(z), computed with mpmath at 50 digits.
    [Theory]
    [InlineData(-10000.0, -50000019.339619307, 10000.000199999994)]
    [InlineData(-100.0, -5010.1295788002498, 100.01999400419587)]
    [InlineData(-40.0, -808.29856835661996, 40.049906657648518)]
    [InlineData(-39.9, -804.29857146543719, 39.950031269397796)]
    [InlineData(-20.0, -206.9178385094251, 20.099262811101282)]
    [InlineData(-5.0, -16.74430116266099, 5.3618162412880885)]
    [InlineData(-1.5, -3.5299359208057099, 2.2795806941564462)]
    [InlineData(-1.0, -2.4851210257126413, 1.9042712333296918)]
    [InlineData(-0.5, -1.6205162643873199, 1.5598731483480797)]
    [InlineData(0.0, -0.91893853320467274, 1.2533141373155003)]
    [InlineData(0.5, -0.35982768374506382, 0.99092271800410996)]
    [InlineData(2.0, 0.69738354578822831, 0.48655931878528387)]
    [InlineData(10.0, 2.3025850929940457, 0.1)]
    public void Log_h_and_its_derivative_match_high_precision_values(double z, double logH, double derivative)
    {
        Assert.Equal(logH, LogExpectedImprovement.LogH(z), Math.Abs(logH) * 1e-12 + 1e-13);
        Assert.Equal(derivative, LogExpectedImprovement.LogHDerivative(z), derivative * 1e-10);
    }

    [Theory]
    [InlineData(0.1, 0.89645697996912664)]
    [InlineData(0.7, 0.52593033734944096)]
    [InlineData(1.5, 0.3215854164543175)]
    [InlineData(3.0, 0.17900115118138995)]
    [InlineData(10.0, 0.056140992743822586)]
    [InlineData(100.0, 0.0056416137829894329)]
    public void Scaled_complementary_error_function_matches_high_precision_values(double x, double expected)
    {
        Assert.Equal(expected, LogExpectedImprovement.Erfcx(x), expected * 1e-13);
    }

    [Fact]
    public void Stays_finite_and_increasing_far_below_the_incumbent()
    {
        var previous = double.NegativeInfinity;
        for (var z = -1e8; z <= 20; z = z < -1 ? z / 1.05 : z + 0.01)
        {
            var value = LogExpectedImprovement.LogH(z);
            Assert.True(double.IsFinite(value), $"log h({z}) is {value}");
            Assert.True(value > previous, $"log h is not increasing at z = {z}");
            Assert.True(LogExpectedImprovement.LogHDerivative(z) > 0);
            previous = value;
        }
    }

    [Fact]
    public void Is_continuous_where_the_evaluation_switches_method()
    {
        foreach (var edge in new[] { -1.0, -40.0 })
        {
            var below = LogExpectedImprovement.LogH(edge - 1e-9);
            var above = LogExpectedImprovement.LogH(edge + 1e-9);
            Assert.Equal(below, above, 1e-7);
        }
    }

    [Fact]
    public void Derivative_matches_finite_differences()
    {
        foreach (var z in new[] { -300.0, -35.0, -3.0, -0.2, 1.7 })
        {
            const double step = 1e-6;
            var numeric = (LogExpectedImprovement.LogH(z + step) - LogExpectedImprovement.LogH(z - step)) / (2 * step);
            Assert.Equal(numeric, LogExpectedImprovement.LogHDerivative(z), Math.Abs(numeric) * 1e-5);
        }
    }

    [Fact]
    public void Expected_improvement_prefers_lower_means_and_more_uncertainty()
    {
        Assert.True(LogExpectedImprovement.Value(-1, 1, 0) > LogExpectedImprovement.Value(0, 1, 0));
        Assert.True(LogExpectedImprovement.Value(5, 4, 0) > LogExpectedImprovement.Value(5, 1, 0));

        // A point a thousand standard deviations worse than the incumbent still gets a finite, comparable score.
        Assert.True(double.IsFinite(LogExpectedImprovement.Value(1000, 1, 0)));
        Assert.True(LogExpectedImprovement.Value(1000, 1, 0) > LogExpectedImprovement.Value(1001, 1, 0));
        Assert.Equal(Math.Log(2), LogExpectedImprovement.Value(-2, 0, 0), 12);
        Assert.Equal(double.NegativeInfinity, LogExpectedImprovement.Value(1, 0, 0));
    }
}
