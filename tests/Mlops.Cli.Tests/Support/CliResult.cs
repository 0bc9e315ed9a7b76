using System.Text.Json.Nodes;

namespace Mlops.Cli.Tests.Support;

/// <summary>What one run of the <c>mlops</c> binary printed and returned.</summary>
public sealed record CliResult(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Fails with the whole transcript, so a failing test shows what the CLI said.</summary>
    public CliResult ShouldExitWith(int expected)
    {
        Assert.True(ExitCode == expected, $"Expected exit code {expected} but got {ExitCode}.\n{this}");
        return this;
    }

    public CliResult ShouldSucceed() => ShouldExitWith(0);

    /// <summary>Parses stdout as JSON (the <c>--json</c> output).</summary>
    public JsonNode Json()
    {
        try
        {
            return JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("stdout is JSON null");
        }
        catch (System.Text.Json.JsonException e)
        {
            Assert.Fail($"stdout is not JSON: {e.Message}\n{this}");
            throw;
        }
    }

    /// <summary>Parses the plain ASCII table on stdout.</summary>
    public AsciiTable Table() => AsciiTable.Parse(Stdout);

    public override string ToString() =>
        $"$ mlops {string.Join(' ', Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"\"{a}\"" : a))}\n" +
        $"exit code: {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
