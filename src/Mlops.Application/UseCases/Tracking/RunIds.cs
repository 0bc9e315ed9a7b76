using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

internal static class RunIds
{
    /// <summary>MLflow accepts the legacy run_uuid wherever run_id is expected.</summary>
    public static string Require(string? runId, string? runUuid = null)
    {
        var id = string.IsNullOrEmpty(runId) ? runUuid : runId;
        if (string.IsNullOrEmpty(id))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'run_id'.");
        }

        ExperimentTrackingService.ValidateRunId(id);
        return id;
    }

    public static MlopsException NotFound(string runId) => MlopsException.NotFound($"Run with id={runId} not found");
}
