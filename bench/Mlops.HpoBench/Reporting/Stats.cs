using System.Globalization;

namespace Mlops.HpoBench.Reporting;

/// <summary>Median and quartiles the way numpy's default (linear interpolation) computes them, as the Optuna script did.</summary>
internal sealed record Summary(double Median, double Q25, double Q75, double Mean)
{
    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0
            ? new Summary(double.NaN, double.NaN, double.NaN, double.NaN)
            : new Summary(Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75), sorted.Average());
    }

    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>"median [q25, q75]" with three significant digits, like results-optuna.md.</summary>
    public string Cell() => $"{Format(Median)} [{Format(Q25)}, {Format(Q75)}]";

    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "-";
        }

        // Python's "{:.3g}": three significant digits, exponent form for very large or small magnitudes.
        return value.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }
}
