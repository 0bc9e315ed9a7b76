using System.Globalization;
using System.Text;

namespace Mlops.Web.Export;

/// <summary>
/// CSV cells that a spreadsheet opens as text: user text that starts like a formula is prefixed with a quote
/// (OWASP's advice against CSV injection), and cells are quoted per RFC 4180 when needed.
/// </summary>
public static class CsvCell
{
    /// <summary>A text cell. Run names, params and tags are user input and may start with =, +, -, @, tab or CR.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return Quote(value);
    }

    /// <summary>A number cell, written invariantly; a number cannot carry a formula, so it is not prefixed.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Row(IEnumerable<string> cells) => string.Join(',', cells);

    private static string Quote(string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            quoted.Append(c == '"' ? "\"\"" : c.ToString());
        }

        return quoted.Append('"').ToString();
    }
}
