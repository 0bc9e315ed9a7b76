using Mlops.Domain.Training;

namespace Mlops.Domain.Tests.Training;

public sealed class HyperparameterValueTests
{
    [Fact]
    public void Formats_values_as_run_parameters()
    {
        Assert.Equal("200", HyperparameterValue.FromInteger(200).ToString());
        Assert.Equal("0.05", HyperparameterValue.FromNumber(0.05).ToString());
        Assert.Equal("1E-07", HyperparameterValue.FromNumber(1e-7).ToString());
        Assert.Equal("true", HyperparameterValue.FromBoolean(true).ToString());
        Assert.Equal("fast", HyperparameterValue.FromText("fast").ToString());
    }

    [Fact]
    public void Boxes_the_value_with_its_own_type()
    {
        Assert.Equal(200L, HyperparameterValue.FromInteger(200).Value);
        Assert.Equal(0.05, HyperparameterValue.FromNumber(0.05).Value);
        Assert.Equal(false, HyperparameterValue.FromBoolean(false).Value);
        Assert.Equal("x", HyperparameterValue.FromText("x").Value);
    }

    [Fact]
    public void Reads_integers_and_whole_numbers_as_int32()
    {
        Assert.True(HyperparameterValue.FromInteger(7).TryGetInt32(out var a));
        Assert.Equal(7, a);
        Assert.True(HyperparameterValue.FromNumber(7.0).TryGetInt32(out var b));
        Assert.Equal(7, b);
        Assert.False(HyperparameterValue.FromNumber(7.5).TryGetInt32(out _));
        Assert.False(HyperparameterValue.FromInteger(1L + int.MaxValue).TryGetInt32(out _));
        Assert.False(HyperparameterValue.FromText("7").TryGetInt32(out _));
    }

    [Fact]
    public void Reads_only_finite_numbers_as_double()
    {
        Assert.True(HyperparameterValue.FromInteger(3).TryGetDouble(out var three));
        Assert.Equal(3.0, three);
        Assert.False(HyperparameterValue.FromNumber(double.NaN).TryGetDouble(out _));
        Assert.False(HyperparameterValue.FromBoolean(true).TryGetDouble(out _));
    }

    [Fact]
    public void Compares_by_type_and_value()
    {
        Assert.Equal(HyperparameterValue.FromInteger(1), HyperparameterValue.FromInteger(1));
        Assert.NotEqual(HyperparameterValue.FromInteger(1), HyperparameterValue.FromNumber(1));
        Assert.NotEqual(HyperparameterValue.FromText("true"), HyperparameterValue.FromBoolean(true));
    }
}
