using System.CommandLine;

namespace Mlops.Cli.Commands;

/// <summary>The `mlops` command tree.</summary>
internal static class MlopsCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Mlops: experiment tracking, model management and more in one self-hosted binary.")
        {
            new ServerCommand(),
            new ExperimentsCommand(),
            new RunsCommand(),
            new ModelsCommand(),
            new TrainCommand(),
            new TuneCommand(),
            new StudiesCommand(),
            new ServeCommand(),
            new PredictCommand(),
            new DeployCommand(),
            new JobsCommand(),
            new WorkerCommand(),
            new DbCommand(),
            new QuickstartCommand(),
        };
        return root;
    }
}
