using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>Experiment ids are decimal integers on the wire, carried as strings (MLflow's convention).</summary>
public static class ExperimentIds
{
    public static string Require(string? experimentId, string field = "experiment_id")
    {
        if (string.IsNullOrEmpty(experimentId))
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{field}'.");
        }

        if (!IsWellFormed(experimentId))
        {
            throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");
        }

        return experimentId;
    }

    /// <summary>Decimal digits in canonical form ("7", not "07"), so one experiment has exactly one id.</summary>
    public static bool IsWellFormed(string experimentId) =>
        experimentId.Length <= 18
        && long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value.ToString(CultureInfo.InvariantCulture) == experimentId;
}
