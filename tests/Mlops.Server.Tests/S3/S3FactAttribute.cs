namespace Mlops.Server.Tests.S3;

/// <summary>A fact that needs s3rver: skipped on a machine without node, never under CI (see <see cref="S3rver.SkipReason"/>).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        // xunit v2 reads Skip from the attribute instance at discovery, so it can be decided here.
        if (S3rver.SkipReason() is { } reason)
        {
            Skip = reason;
        }
    }
}
