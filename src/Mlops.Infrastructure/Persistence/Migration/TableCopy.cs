namespace Mlops.Infrastructure.Persistence.Migration;

/// <summary>One table copied: rows and checksums read back from both databases after the copy.</summary>
public sealed record TableCopy(string Table, long SourceRows, long TargetRows, string SourceChecksum, string TargetChecksum)
{
    public bool Verified => SourceRows == TargetRows && SourceChecksum == TargetChecksum;
}
