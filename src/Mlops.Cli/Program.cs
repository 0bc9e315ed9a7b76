using Mlops.Cli.Commands;

return await MlopsCommandLine.Build().Parse(args).InvokeAsync();
