using System.CommandLine;
using Mlops.Client;

namespace Mlops.Cli.Commands;

/// <summary>Options shared by the management commands.</summary>
internal static class CommonOptions
{
    public static Option<string> TrackingUri { get; } = new("--tracking-uri")
    {
        Description = "Server to talk to ($MLOPS_TRACKING_URI, else $MLFLOW_TRACKING_URI, else this default)",
        DefaultValueFactory = _ => MlopsClient.DefaultTrackingUri,
    };

    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Print machine-readable JSON instead of a table",
    };
}
