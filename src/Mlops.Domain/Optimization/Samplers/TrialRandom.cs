namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// The random stream for one (seed, trial number, purpose): samplers draw from it instead of a shared generator, so
/// a proposal never depends on how many draws other trials made or in which order workers asked.
/// </summary>
public static class TrialRandom
{
    public static Random For(long seed, int trialNumber, int purpose = 0)
    {
        var mixed = SplitMix((ulong)seed ^ SplitMix(((ulong)(uint)trialNumber << 16) ^ (uint)purpose));
        return new Random((int)(mixed & 0x7FFF_FFFF));
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
