using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client;

namespace Mlops.Cli.Commands;

/// <summary>A command that takes one id, calls the server once and reports what it did (delete, restore, ...).</summary>
internal sealed class IdActionCommand : BaseCommand
{
    private readonly Argument<string> _id;
    private readonly Func<MlopsClient, string, CancellationToken, Task> _action;
    private readonly Func<string, string> _done;

    public IdActionCommand(string name, string description, string idName, Func<MlopsClient, string, CancellationToken, Task> action, Func<string, string> done)
        : base(name, description)
    {
        _id = new Argument<string>(idName) { Description = idName.Replace('-', ' ') };
        _action = action;
        _done = done;
        Arguments.Add(_id);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        using var client = CreateClient(parseResult);
        var id = parseResult.GetValue(_id)!;
        await _action(client, id, cancellationToken);
        output.Line(_done(id));
        return ExitCodes.Success;
    }
}
