using System.Globalization;

namespace Mlops.Web.Components;

/// <summary>How the interface writes times, durations and numbers: invariant, UTC, compact.</summary>
public static class Format
{
    public static string Time(long? epochMs) => epochMs is { } ms && ms > 0
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "—";

    public static string Duration(long start, long? end)
    {
        if (end is not { } finish || finish < start)
        {
            return "—";
        }

        var span = TimeSpan.FromMilliseconds(finish - start);
        return span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.0} s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : $"{(int)span.TotalHours} h {span.Minutes} min";
    }

    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : value == Math.Floor(value) && Math.Abs(value) < 1e15 ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Short(string id) => id.Length > 8 ? id[..8] : id;
}
