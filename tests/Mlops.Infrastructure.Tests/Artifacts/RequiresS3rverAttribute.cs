namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> facts need s3rver (see <see cref="S3rverProcess.SkipReason"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequiresS3rverAttribute : Attribute;
