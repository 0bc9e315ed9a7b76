namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>Marks a test class whose tests need <see cref="PostgresTestServer"/>; see <see cref="MlopsTestFramework"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;
