using Xunit.Sdk;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// A fact of a store test class, reported as skipped when the class needs a server this machine cannot start
/// (<see cref="RequiresS3rverAttribute"/>). xunit v2 has no run-time skip, and the contract's facts are declared
/// once on the base class, so the decision is made per derived class at discovery.
/// </summary>
[XunitTestCaseDiscoverer("Mlops.Infrastructure.Tests.Artifacts.StoreFactDiscoverer", "Mlops.Infrastructure.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StoreFactAttribute : FactAttribute;
