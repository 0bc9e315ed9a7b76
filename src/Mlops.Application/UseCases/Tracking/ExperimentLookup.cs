using Mlops.Application.Ports;
using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Tracking;

public static class ExperimentLookup
{
    /// <summary>The id of the experiment of that name, created when missing; a concurrent creator's experiment is reused.</summary>
    public static async Task<string> GetOrCreateExperimentAsync(this ITrackingStore tracking, string name, long now, CancellationToken cancellationToken)
    {
        if (await tracking.GetExperimentByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing.ExperimentId;
        }

        try
        {
            return await tracking.CreateExperimentAsync(name, null, [], now, cancellationToken);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists)
        {
            return (await tracking.GetExperimentByNameAsync(name, cancellationToken))!.ExperimentId;
        }
    }
}
