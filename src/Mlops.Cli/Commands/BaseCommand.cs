using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client;

namespace Mlops.Cli.Commands;

/// <summary>
/// A command that returns an exit code. Errors from the server become a one-line message and a named exit
/// code instead of a stack trace.
/// </summary>
internal abstract class BaseCommand : Command
{
    protected BaseCommand(string name, string description, bool usesServer = true)
        : base(name, description)
    {
        if (usesServer)
        {
            Options.Add(CommonOptions.TrackingUri);
        }

        SetAction(async (parseResult, cancellationToken) =>
        {
            var output = ConsoleOutput.Create();
            try
            {
                return await ExecuteAsync(parseResult, output, cancellationToken);
            }
            catch (MlopsApiException e)
            {
                output.Error($"{e.ErrorCode}: {e.Message}");
                return e.StatusCode == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound
                    : (int)e.StatusCode is >= 400 and < 500 ? ExitCodes.InvalidArgument
                    : ExitCodes.Failure;
            }
            catch (HttpRequestException e)
            {
                output.Error($"Cannot reach the Mlops server at {parseResult.GetValue(CommonOptions.TrackingUri)}: {e.Message}. Start one with `mlops server` or pass --tracking-uri.");
                return ExitCodes.ServerUnreachable;
            }
            catch (Domain.Common.MlopsException e)
            {
                output.Error(e.Message);
                return e.Kind == Domain.Common.ErrorKind.NotFound ? ExitCodes.NotFound : ExitCodes.InvalidArgument;
            }
            catch (IOException e)
            {
                output.Error(e.Message);
                return ExitCodes.Failure;
            }
        });
    }

    protected abstract Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken);

    protected static MlopsClient CreateClient(ParseResult parseResult) => new(parseResult.GetValue(CommonOptions.TrackingUri)!);
}
