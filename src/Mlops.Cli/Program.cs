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

return await parseResult.InvokeAsync();
