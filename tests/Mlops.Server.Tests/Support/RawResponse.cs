using System.Globalization;
using System.Net;
using System.Text;

namespace Mlops.Server.Tests.Support;

/// <summary>A parsed HTTP/1.1 answer (status, headers, body with chunked transfer decoded).</summary>
public sealed class RawResponse(HttpStatusCode status, IReadOnlyDictionary<string, string> headers, byte[] body)
{
    public HttpStatusCode Status { get; } = status;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public byte[] Body { get; } = body;

    public string Text => Encoding.UTF8.GetString(Body);

    public static RawResponse Parse(byte[] raw)
    {
        var end = IndexOf(raw, "\r\n\r\n"u8.ToArray(), 0);
        if (end < 0)
        {
            throw new InvalidDataException($"Not an HTTP response: '{Encoding.ASCII.GetString(raw)}'");
        }

        var lines = Encoding.ASCII.GetString(raw, 0, end).Split("\r\n");
        var status = (HttpStatusCode)int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = raw[(end + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new RawResponse(status, headers, body);
    }

    private static byte[] Dechunk(byte[] data)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (position < data.Length)
        {
            var lineEnd = IndexOf(data, "\r\n"u8.ToArray(), position);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(data, position, lineEnd - position).Split(';')[0];
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            output.Write(data, lineEnd + 2, Math.Min(size, data.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOf(byte[] data, byte[] pattern, int start)
    {
        var index = data.AsSpan(start).IndexOf(pattern);
        return index < 0 ? -1 : index + start;
    }
}
