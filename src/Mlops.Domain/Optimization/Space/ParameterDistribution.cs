using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Space;

/// <summary>
/// One dimension of a search space. Samplers work on an internal encoding: a float or int parameter is its value
/// (samplers apply the log themselves when <c>Log</c> is set), a categorical parameter is the index of its choice.
/// </summary>
public abstract record ParameterDistribution(string Name)
{
    /// <summary>When set, the parameter exists only for some choices of a categorical parent.</summary>
    public ParameterCondition? Condition { get; init; }

    /// <summary>The internal value for an external one, or an error naming the parameter when it does not fit.</summary>
    public abstract double ToInternal(object value);

    /// <summary>The external value (double, long, or the choice itself) for an internal one.</summary>
    public abstract object ToExternal(double value);

    /// <summary>Whether an internal value lies in the distribution (in range, on the step, a valid index).</summary>
    public abstract bool Contains(double value);

    protected MlopsException Invalid(string message) => MlopsException.Invalid($"parameter '{Name}': {message}");

    protected static double? AsNumber(object value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}

/// <summary>A real number in [Low, High], uniform or log-uniform, optionally on a grid of Step from Low.</summary>
public sealed record FloatDistribution(string Name, double Low, double High, bool Log = false, double? Step = null) : ParameterDistribution(Name)
{
    public override double ToInternal(object value)
    {
        var number = AsNumber(value) ?? throw Invalid($"'{value}' is not a number.");
        return Contains(number) ? number : throw Invalid($"{number.ToString(CultureInfo.InvariantCulture)} is outside [{Low.ToString(CultureInfo.InvariantCulture)}, {High.ToString(CultureInfo.InvariantCulture)}]{(Step is null ? "" : " or off its step")}.");
    }

    public override object ToExternal(double value) => value;

    public override bool Contains(double value)
    {
        if (!double.IsFinite(value) || value < Low || value > High)
        {
            return false;
        }

        if (Step is not { } step)
        {
            return true;
        }

        var k = (value - Low) / step;
        return Math.Abs(k - Math.Round(k)) < 1e-8;
    }

    /// <summary>Rounds to the step and clamps into range: samplers call this on every proposal.</summary>
    public double Snap(double value)
    {
        if (Step is { } step)
        {
            value = Low + (Math.Round((value - Low) / step) * step);
            // The last grid point can round to just above High (0 + 3 * 0.1 is 0.30000000000000004): clamp to High too.
            var last = Low + (Math.Floor(((High - Low) / step) + 1e-9) * step);
            return Math.Clamp(value, Low, Math.Min(last, High));
        }

        return Math.Clamp(value, Low, High);
    }
}

/// <summary>An integer in [Low, High] inclusive, on a grid of Step from Low, uniform or log-uniform.</summary>
public sealed record IntDistribution(string Name, long Low, long High, bool Log = false, long Step = 1) : ParameterDistribution(Name)
{
    public override double ToInternal(object value)
    {
        var number = AsNumber(value) ?? throw Invalid($"'{value}' is not an integer.");
        return Contains(number) ? number : throw Invalid($"{number.ToString(CultureInfo.InvariantCulture)} is not an integer in [{Low}, {High}]{(Step == 1 ? "" : $" with step {Step}")}.");
    }

    public override object ToExternal(double value) => (long)Math.Round(value);

    public override bool Contains(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && value >= Low && value <= High && ((long)value - Low) % Step == 0;

    /// <summary>Rounds to the nearest allowed integer: samplers call this on every proposal.</summary>
    public double Snap(double value)
    {
        var last = Low + ((High - Low) / Step * Step);
        var snapped = Low + (Math.Round((value - Low) / Step) * Step);
        return Math.Clamp(snapped, Low, last);
    }
}

/// <summary>One of a fixed list of choices (strings, numbers or booleans), unordered.</summary>
public sealed record CategoricalDistribution(string Name, IReadOnlyList<object> Choices) : ParameterDistribution(Name)
{
    public override double ToInternal(object value)
    {
        for (var i = 0; i < Choices.Count; i++)
        {
            if (SameChoice(Choices[i], value))
            {
                return i;
            }
        }

        throw Invalid($"'{value}' is not one of its choices ({string.Join(", ", Choices.Select(Format))}).");
    }

    public override object ToExternal(double value) => Choices[(int)value];

    public override bool Contains(double value) => value == Math.Floor(value) && value >= 0 && value < Choices.Count;

    public int IndexOf(object value) => (int)ToInternal(value);

    internal static bool SameChoice(object choice, object value)
    {
        if (choice.Equals(value))
        {
            return true;
        }

        var a = AsNumber(choice);
        var b = AsNumber(value);
        if (choice is not string && a is not null && b is not null)
        {
            return a.Value == b.Value;
        }

        return string.Equals(Format(choice), Format(value), StringComparison.Ordinal) && choice is string == value is string;
    }

    internal static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
