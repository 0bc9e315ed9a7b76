using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Mlops.Cli.Output;

/// <summary>
/// All command output goes through here: tables on a terminal, plain ASCII tables when piped or in CI,
/// JSON when asked, errors on stderr.
/// </summary>
internal sealed class ConsoleOutput
{
    private readonly IAnsiConsole _console;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly bool _plain;

    private ConsoleOutput(IAnsiConsole console, TextWriter output, TextWriter error, bool plain)
    {
        _console = console;
        _out = output;
        _error = error;
        _plain = plain;
    }

    public static ConsoleOutput Create()
    {
        var plain = Console.IsOutputRedirected || Environment.GetEnvironmentVariable("CI") == "true";
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (plain)
        {
            // Piped output has no width; a wide canvas keeps ids and values on one line for grep and awk.
            console.Profile.Width = 240;
        }

        return new ConsoleOutput(console, Console.Out, Console.Error, plain);
    }

    public void Line(string text) => _console.WriteLine(text);

    public void Error(string message) => _error.WriteLine("error: " + message);

    /// <summary>Progress and notes on stderr, so stdout stays clean for data (e.g. `mlops predict` writing CSV).</summary>
    public void Note(string message) => _error.WriteLine(message);

    public void Json<T>(T value, JsonTypeInfo<T> typeInfo) =>
        _out.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(typeInfo.Options) { WriteIndented = true }.GetTypeInfo(typeof(T))));

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (_plain)
        {
            PlainTable(headers, rows.ToList());
            return;
        }

        var table = new Table().Border(_plain ? TableBorder.Ascii : TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
        }

        _console.Write(table);
    }

    /// <summary>Key/value pairs as a two-column table.</summary>
    public void Details(IEnumerable<(string Key, string Value)> pairs) =>
        Table(["Field", "Value"], pairs.Select(p => (IReadOnlyList<string>)[p.Key, p.Value]));

    /// <summary>
    /// Piped output never wraps: every column is as wide as its widest cell, so ids stay whole for grep and awk.
    /// </summary>
    private void PlainTable(IReadOnlyList<string> headers, List<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], OneLine(row[i]).Length);
            }
        }

        var border = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        string Line(IReadOnlyList<string> cells) =>
            "| " + string.Join(" | ", widths.Select((w, i) => (i < cells.Count ? OneLine(cells[i]) : "").PadRight(w))) + " |";

        _out.WriteLine(border);
        _out.WriteLine(Line(headers));
        _out.WriteLine("|" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            _out.WriteLine(Line(row));
        }

        _out.WriteLine(border);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
