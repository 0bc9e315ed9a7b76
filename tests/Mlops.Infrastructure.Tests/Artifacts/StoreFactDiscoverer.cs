using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts: skipped when the class needs s3rver and it cannot run here.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var type = testMethod.TestClass.Class.ToRuntimeType();
        if (type?.GetCustomAttribute<RequiresS3rverAttribute>() is not null && S3rverProcess.SkipReason() is { } reason)
        {
            return
            [
                new XunitSkippedDataRowTestCase(
                    DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason),
            ];
        }

        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
