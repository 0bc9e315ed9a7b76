using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Tracking;

internal static class SearchLimits
{
    public static int Resolve(long? requested, int defaultValue, int maximum, string field = "max_results")
    {
        if (requested is null or 0)
        {
            return defaultValue;
        }

        if (requested < 0 || requested > maximum)
        {
            throw MlopsException.Invalid($"Invalid value {requested} for parameter '{field}' supplied: it must be between 1 and {maximum}.");
        }

        return (int)requested.Value;
    }
}
