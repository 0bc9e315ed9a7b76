using System.Globalization;

namespace Mlops.Domain.Training;

/// <summary>How values are quoted in spec error messages, so every message shows text as "text" and numbers bare.</summary>
internal static class SpecText
{
    private const int MaxShown = 100;

    public static string Quote(string? value) =>
        value is null ? "null" : "\"" + (value.Length > MaxShown ? value[..MaxShown] + "..." : value) + "\"";

    public static string Show(HyperparameterValue value) =>
        value.Type == HyperparameterType.Text ? Quote(value.ToString()) : value.ToString();

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string List(IEnumerable<string> values) => string.Join(", ", values);
}
