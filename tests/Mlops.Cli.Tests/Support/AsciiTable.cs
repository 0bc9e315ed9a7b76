namespace Mlops.Cli.Tests.Support;

/// <summary>
/// A table as the CLI prints it without a terminal: <c>+---+</c> borders, <c>| a | b |</c> rows and a
/// <c>|---+---|</c> line under the header. Every printed line is one row, so a wrapped cell shows up as an
/// extra row, which is exactly what the tests want to catch.
/// </summary>
public sealed record AsciiTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public static AsciiTable Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.Count >= 2 && lines[0].StartsWith('+') && lines[^1].StartsWith('+'),
            $"Expected an ASCII table framed by '+---+' lines, got:\n{text}");
        var rows = lines
            .Where(l => l.StartsWith('|') && !l.StartsWith("|-", StringComparison.Ordinal))
            .Select(l => (IReadOnlyList<string>)l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToList())
            .ToList();
        Assert.True(rows.Count >= 1, $"Expected a header row, got:\n{text}");
        return new AsciiTable(rows[0], rows.Skip(1).ToList());
    }

    public IReadOnlyList<string> Column(string header)
    {
        var index = IndexOf(header);
        return Rows.Select(r => r[index]).ToList();
    }

    /// <summary>The row whose first cell is <paramref name="key"/>.</summary>
    public IReadOnlyList<string> Row(string key) =>
        Rows.SingleOrDefault(r => r[0] == key) ?? throw new Xunit.Sdk.XunitException($"No row '{key}' in table:\n{this}");

    /// <summary>The cell in <paramref name="header"/> of the row whose first cell is <paramref name="key"/>.</summary>
    public string Cell(string key, string header) => Row(key)[IndexOf(header)];

    /// <summary>For two-column Field/Value tables (<c>get</c>).</summary>
    public IReadOnlyDictionary<string, string> AsFields() => Rows.ToDictionary(r => r[0], r => r[1]);

    private int IndexOf(string header)
    {
        var index = Headers.ToList().IndexOf(header);
        Assert.True(index >= 0, $"No column '{header}' in [{string.Join(", ", Headers)}]");
        return index;
    }

    public override string ToString() =>
        string.Join('\n', new[] { Headers }.Concat(Rows).Select(r => "| " + string.Join(" | ", r) + " |"));
}
