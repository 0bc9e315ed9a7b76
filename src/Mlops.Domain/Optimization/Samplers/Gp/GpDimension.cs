using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// How one parameter appears to the GP. Numbers map to [0, 1] (in log space when the distribution is logarithmic);
/// integers and stepped floats get half a step of room at each end, so every allowed value owns an equal slice of the
/// unit interval and rounding a continuous proposal lands on its nearest allowed value. A categorical parameter keeps
/// its choice index and is compared by equality (a Hamming-distance kernel factor).
/// </summary>
internal sealed class GpDimension
{
    private readonly double _low;
    private readonly double _span;
    private readonly bool _log;

    private GpDimension(ParameterDistribution distribution, double low, double high, bool log, int choices)
    {
        Distribution = distribution;
        _log = log;
        _low = log ? Math.Log(low) : low;
        _span = (log ? Math.Log(high) : high) - _low;
        Choices = choices;
    }

    public ParameterDistribution Distribution { get; }

    /// <summary>The number of choices of a categorical parameter; 0 for numbers.</summary>
    public int Choices { get; }

    public bool IsCategorical => Choices > 0;

    /// <summary>True when the parameter can take one value only, so the GP gains nothing from it.</summary>
    public bool IsConstant => Distribution switch
    {
        CategoricalDistribution => Choices == 1,
        IntDistribution i => i.Low + i.Step > i.High,
        FloatDistribution { Step: not null } f => LastOnGrid(f) == f.Low,
        _ => !(_span > 0),
    };

    public static GpDimension For(ParameterDistribution distribution) => distribution switch
    {
        FloatDistribution { Step: { } step } f => new GpDimension(f, f.Low - (step / 2), LastOnGrid(f) + (step / 2), false, 0),
        FloatDistribution f => new GpDimension(f, f.Low, f.High, f.Log, 0),
        IntDistribution { Log: true } i => new GpDimension(i, i.Low - 0.5, i.High + 0.5, true, 0),
        IntDistribution i => new GpDimension(i, i.Low - (i.Step / 2.0), i.Low + ((i.High - i.Low) / i.Step * i.Step) + (i.Step / 2.0), false, 0),
        CategoricalDistribution c => new GpDimension(c, 0, 0, false, c.Choices.Count),
        _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution.GetType().Name, "unknown distribution"),
    };

    /// <summary>The GP coordinate of an internal value.</summary>
    public double Encode(double value)
    {
        if (IsCategorical)
        {
            return value;
        }

        if (!(_span > 0))
        {
            return 0.5;
        }

        return Math.Clamp(((_log ? Math.Log(value) : value) - _low) / _span, 0, 1);
    }

    /// <summary>The allowed internal value nearest to a GP coordinate (rounded to the step, clamped to the range).</summary>
    public double Decode(double coordinate)
    {
        if (Distribution is CategoricalDistribution categorical)
        {
            return Math.Clamp(Math.Round(coordinate), 0, categorical.Choices.Count - 1);
        }

        var raw = _low + (Math.Clamp(coordinate, 0, 1) * _span);
        if (_log)
        {
            raw = Math.Exp(raw);
        }

        return Distribution switch
        {
            FloatDistribution f => f.Snap(raw),
            IntDistribution i => i.Snap(raw),
            _ => raw,
        };
    }

    /// <summary>Moves a coordinate onto the one its decoded value encodes to (a no-op for plain floats).</summary>
    public double Snap(double coordinate) => Distribution is FloatDistribution { Step: null } ? Math.Clamp(coordinate, 0, 1) : Encode(Decode(coordinate));

    /// <summary>A coordinate drawn uniformly: a uniform number in [0, 1), or a uniform choice index.</summary>
    public double Draw(Random random) => IsCategorical ? random.Next(Choices) : random.NextDouble();

    /// <summary>A coordinate from a uniform u in [0, 1): the coordinate itself, or the choice whose slice holds u.</summary>
    public double FromUnit(double u) => IsCategorical ? Math.Min(Choices - 1, Math.Floor(u * Choices)) : u;

    private static double LastOnGrid(FloatDistribution f) => f.Low + (Math.Floor(((f.High - f.Low) / f.Step!.Value) + 1e-9) * f.Step.Value);
}
