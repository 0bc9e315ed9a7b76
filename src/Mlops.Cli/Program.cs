using Mlops.Cli.Commands;

var parseResult = MlopsCommandLine.Build().Parse(args);
if (parseResult.Errors.Count > 0)
{
    // Usage errors get their own exit code so scripts can tell them from failures.
    foreach (var error in parseResult.Errors)
    {
        Console.Error.WriteLine("error: " + error.Message);
    }

    Console.Error.WriteLine("Run with --help to see the usage.");
    return ExitCodes.UsageError;
}

// SIGTERM: give a worker or server time to hand its jobs back before the process ends (the host's own
// shutdown timeout is 30 s; System.CommandLine would otherwise end the process after 2 s).
return await parseResult.InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(35) });
