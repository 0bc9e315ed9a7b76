namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>A clock that always reads the same instant, so a package's creation time can be asserted exactly.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
