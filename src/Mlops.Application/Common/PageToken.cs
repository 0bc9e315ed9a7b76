using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Mlops.Domain.Common;

namespace Mlops.Application.Common;

/// <summary>Opaque page tokens: base64 of "o:&lt;offset&gt;". Clients must treat them as opaque, as with MLflow's.</summary>
public static class PageToken
{
    public static string Encode(long offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture)));

    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        if (token.Length <= 64 && Base64.IsValid(token))
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("o:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }

        throw MlopsException.Invalid($"Invalid page_token '{(token.Length > 64 ? token[..64] + "..." : token)}': pass back the next_page_token of a previous response unchanged.");
    }
}
