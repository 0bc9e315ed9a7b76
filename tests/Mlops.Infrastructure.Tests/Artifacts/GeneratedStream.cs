using System.Security.Cryptography;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// A non-seekable body of pseudo-random bytes of a given length, produced as it is read, so a large upload never
/// exists in the test's memory either; it hashes what it hands out, for comparing with what is read back.
/// An optional callback runs once the given number of bytes has been read (to cancel an upload midway).
/// </summary>
public sealed class GeneratedStream(long length, int seed, long? triggerAt = null, Action? trigger = null) : Stream
{
    private readonly Random _random = new(seed);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
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

    /// <summary>The SHA-256 of everything read so far, in lowercase hex.</summary>
    public string Sha256 => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        _random.NextBytes(buffer.AsSpan(offset, n));
        _hash.AppendData(buffer, offset, n);
        _position += n;
        if (triggerAt is { } at && _position >= at && _position - n < at)
        {
            trigger?.Invoke();
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
