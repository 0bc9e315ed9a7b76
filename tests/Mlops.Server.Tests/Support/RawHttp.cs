using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Mlops.Server.Tests.Support;

/// <summary>
/// HTTP/1.1 over a plain socket, so a request target reaches the server byte for byte: HttpClient and
/// System.Uri would remove "..", unescape or re-escape the hostile paths these tests need to send.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends one request with "Connection: close" and reads the answer to the end. <paramref name="declaredLength"/>
    /// may announce more body than is sent, to see how the server treats an oversized request before it arrives.
    /// </summary>
    public static async Task<RawResponse> SendAsync(Uri server, string method, string target, byte[]? body = null, string? contentType = null, long? declaredLength = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {server.Authority}\r\n")
            .Append("Connection: close\r\n");
        if (contentType is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        }

        var length = declaredLength ?? body?.Length ?? (method is "PUT" or "POST" ? 0 : null);
        if (length is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);
        if (body is { Length: > 0 })
        {
            await stream.WriteAsync(body, timeout.Token);
        }

        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // The server may reset the connection after answering a request whose body it refused to read.
        }

        return RawResponse.Parse(received.ToArray());
    }
}
