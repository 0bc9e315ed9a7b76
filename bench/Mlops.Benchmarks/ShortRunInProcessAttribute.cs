using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Mlops.Benchmarks;

/// <summary>
/// ShortRun in the benchmark process itself. On the shared 2-core machine, building BenchmarkDotNet's generated
/// project for an out-of-process run can exceed its 2-minute build timeout, and the in-process run needs no build.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortRunInProcessAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
