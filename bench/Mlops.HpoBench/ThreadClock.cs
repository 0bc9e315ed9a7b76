using System.Runtime.InteropServices;

namespace Mlops.HpoBench;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)), reported next to wall time: on a
/// shared machine, wall time includes waiting for a core, CPU time does not. NaN where unavailable.
/// </summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTime = 3;

    private static readonly bool s_available = OperatingSystem.IsLinux() && Probe();

    public static double Milliseconds()
    {
        if (!s_available || clock_gettime(ThreadCpuTime, out var time) != 0)
        {
            return double.NaN;
        }

        return (time.Seconds * 1e3) + (time.Nanoseconds / 1e6);
    }

    private static bool Probe()
    {
        try
        {
            return clock_gettime(ThreadCpuTime, out _) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
