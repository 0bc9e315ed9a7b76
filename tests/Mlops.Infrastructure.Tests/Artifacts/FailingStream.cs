namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>A non-seekable upload body that yields some bytes and then fails, like a dropped connection.</summary>
public sealed class FailingStream(long bytesBeforeFailure) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= bytesBeforeFailure)
        {
            throw new IOException("The connection was reset.");
        }

        var n = (int)Math.Min(count, bytesBeforeFailure - _position);
        Array.Fill(buffer, (byte)'x', offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
