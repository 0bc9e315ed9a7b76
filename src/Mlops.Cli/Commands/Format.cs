using System.Globalization;

namespace Mlops.Cli.Commands;

internal static class Format
{
    public static string Time(long? ms) =>
        ms is null or 0 ? "" : DateTimeOffset.FromUnixTimeMilliseconds(ms.Value).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(long? start, long? end)
    {
        if (start is null || end is null || end < start)
        {
            return "";
        }

        var span = TimeSpan.FromMilliseconds(end.Value - start.Value);
        return span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : span.TotalMinutes >= 1 ? span.ToString(@"m\:ss", CultureInfo.InvariantCulture) + " min"
            : (span.TotalMilliseconds / 1000.0).ToString("0.0##", CultureInfo.InvariantCulture) + " s";
    }

    public static string Number(double? value) => value switch
    {
        null => "",
        double v when double.IsNaN(v) => "NaN",
        double v when double.IsPositiveInfinity(v) => "inf",
        double v when double.IsNegativeInfinity(v) => "-inf",
        double v => v.ToString("G6", CultureInfo.InvariantCulture),
    };
}
