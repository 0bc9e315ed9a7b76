namespace Mlops.Server.Tests.Support;

/// <summary>A stream that hides its length, so HttpClient sends it with chunked transfer encoding.</summary>
public sealed class UnseekableStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;
}
