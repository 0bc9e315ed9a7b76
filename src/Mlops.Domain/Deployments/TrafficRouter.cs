using Mlops.Domain.Common;

namespace Mlops.Domain.Deployments;

/// <summary>
/// Weighted routing over a traffic split: the caller draws a uniform number in [0, 1) and the router maps it onto the
/// cumulative weights, so a revision at 10 % answers exactly the draws in a band of width 0.1. Pure, so it is tested with
/// fixed numbers and the randomness stays with the caller.
/// </summary>
public sealed class TrafficRouter
{
    private readonly int[] _cumulative;

    public TrafficRouter(IReadOnlyList<Revision> split, IReadOnlyList<Revision>? shadows = null)
    {
        if (split.Any(r => r.Weight is < 1 or > 100) || (split.Count > 0 && split.Sum(r => r.Weight) != 100))
        {
            throw new ArgumentException("A traffic split has positive weights that sum to 100.", nameof(split));
        }

        Split = split;
        Shadows = shadows ?? [];
        _cumulative = new int[split.Count];
        var total = 0;
        for (var i = 0; i < split.Count; i++)
        {
            total += split[i].Weight;
            _cumulative[i] = total;
        }
    }

    public IReadOnlyList<Revision> Split { get; }

    /// <summary>The revisions that get a copy of every request (see <see cref="EndpointRules.ShadowTargets"/>).</summary>
    public IReadOnlyList<Revision> Shadows { get; }

    public static TrafficRouter For(Endpoint endpoint) => new(EndpointRules.TrafficSplit(endpoint), EndpointRules.ShadowTargets(endpoint));

    /// <summary>The revision that answers a request, given a uniform draw in [0, 1).</summary>
    public Revision Pick(double uniform)
    {
        if (!(uniform is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, "A draw is a number in [0, 1).");
        }

        if (Split.Count == 0)
        {
            throw new MlopsException(ErrorKind.Conflict, "The endpoint has no live revision to answer the request.");
        }

        // Dividing the integer threshold (rather than multiplying the draw) keeps the band edges exactly at 0.1, 0.25, 0.9 ...
        for (var i = 0; i < _cumulative.Length - 1; i++)
        {
            if (uniform < _cumulative[i] / 100.0)
            {
                return Split[i];
            }
        }

        return Split[^1];
    }
}
