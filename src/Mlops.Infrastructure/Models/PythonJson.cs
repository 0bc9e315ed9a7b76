using System.Globalization;
using System.Text;

namespace Mlops.Infrastructure.Models;

/// <summary>
/// Writes JSON the way Python's <c>json.dumps</c> does with its defaults (", " and ": " separators, every non-ASCII
/// character as a lowercase \uXXXX escape), so that signature strings in MLmodel are byte-for-byte what MLflow writes.
/// </summary>
internal static class PythonJson
{
    public static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case '\n':
                    json.Append("\\n");
                    break;
                case '\r':
                    json.Append("\\r");
                    break;
                case '\t':
                    json.Append("\\t");
                    break;
                case '\b':
                    json.Append("\\b");
                    break;
                case '\f':
                    json.Append("\\f");
                    break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        json.Append('"');
    }
}
