using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Mlops.Server.Tests.Postgres.PostgresTestFramework", "Mlops.Server.Tests")]

namespace Mlops.Server.Tests.Postgres;

/// <summary>
/// The PostgreSQL server named by <c>MLOPS_TEST_POSTGRES</c>. Without it the PostgreSQL tests are skipped on a
/// developer machine and fail in CI (<c>CI=true</c>). The same rule as in Mlops.Infrastructure.Tests (the test
/// projects share no support code).
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "MLOPS_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string? SkipReason => ConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        ? $"{Variable} is not set; start a server with .ci/postgres.sh start (README: Running the PostgreSQL tests locally)"
        : null;

    public static string RequireConnectionString() => ConnectionString
        ?? throw new InvalidOperationException($"{Variable} is not set but CI=true: the PostgreSQL tests must run in CI (.ci/run starts one with .ci/postgres.sh).");
}

/// <summary>Marks a test class that needs <see cref="PostgresTestServer"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>xunit's framework, reporting the tests of <see cref="RequiresPostgresAttribute"/> classes as skipped when no server is configured.</summary>
public sealed class PostgresTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (PostgresTestServer.SkipReason is null || !testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            return !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any()
                || ReportDiscoveredTestCase(
                    new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod),
                    includeSourceInformation, messageBus);
        }
    }

    /// <summary>A test case skipped because no PostgreSQL server is configured (the reason is re-read after de-serialisation).</summary>
    public sealed class SkippedTestCase : XunitTestCase
    {
        [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
        public SkippedTestCase()
        {
        }

        public SkippedTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
            : base(diagnosticMessageSink, display, options, testMethod)
        {
        }

        protected override string GetSkipReason(IAttributeInfo factAttribute) => PostgresTestServer.SkipReason ?? base.GetSkipReason(factAttribute);
    }
}
