using System.Buffers;
using System.Globalization;
using System.Text;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Domain.Common;
using Mlops.Domain.Serving;

namespace Mlops.Cli.Commands;

/// <summary>A chunk of CSV rows with the model's outputs appended, as text ready to write, one line per row.</summary>
/// <remarks>
/// Kept as a <see cref="StringBuilder"/> grown in small chunks and written chunk by chunk: one string for the whole
/// chunk would sit on the large-object heap, and collecting those costs more than scoring.
/// </remarks>
internal sealed record ScoredChunk(StringBuilder Text, int Rows, IReadOnlyList<string> OutputColumns);

/// <summary>
/// Scores one chunk of CSV lines for `mlops predict`: the lines are encoded straight into a pooled UTF-8 buffer
/// (header first) for the same parser `mlops serve` uses, scored, and formatted. Safe to call from several threads.
/// </summary>
internal sealed class ChunkScorer(string header, ScoringSchema schema, IPredictor predictor)
{
    private readonly int _headerBytes = Encoding.UTF8.GetByteCount(header) + 1;

    public ScoredChunk Score(List<string> lines, long before)
    {
        var size = _headerBytes;
        foreach (var line in lines)
        {
            size += Encoding.UTF8.GetByteCount(line) + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        ScoringResult result;
        try
        {
            var written = Append(buffer, 0, header);
            foreach (var line in lines)
            {
                written = Append(buffer, written, line);
            }

            result = predictor.Predict(ScoringRequestParser.Parse(buffer.AsSpan(0, written), "text/csv", schema, lines.Count));
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            // The parser counts rows from 0 within this chunk; say where that is in the file.
            throw MlopsException.Invalid($"in the chunk of rows {before + 1}-{before + lines.Count} (row 0 is row {before + 1} of the file): {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new ScoredChunk(Format(lines, result), lines.Count, [.. result.Columns.Select(c => c.Name)]);
    }

    /// <summary>A CSV cell: quoted (quotes doubled) when it holds a separator, a quote or a line break; empty for null.</summary>
    public static string CsvCell(string? text) =>
        text is null ? "" : text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static int Append(byte[] buffer, int at, string line)
    {
        at += Encoding.UTF8.GetBytes(line, buffer.AsSpan(at));
        buffer[at] = (byte)'\n';
        return at + 1;
    }

    private static StringBuilder Format(List<string> lines, ScoringResult result)
    {
        var text = new StringBuilder();
        Span<char> number = stackalloc char[32];
        for (var row = 0; row < lines.Count; row++)
        {
            text.Append(lines[row]);
            foreach (var column in result.Columns)
            {
                text.Append(',');
                switch (column)
                {
                    case NumberColumn n when !float.IsNaN(n.Values[row]):
                        n.Values[row].TryFormat(number, out var length, "R", CultureInfo.InvariantCulture);
                        text.Append(number[..length]);
                        break;
                    case BooleanColumn b:
                        text.Append(b.Values[row] ? "true" : "false");
                        break;
                    case TextColumn t:
                        text.Append(CsvCell(t.Values[row]));
                        break;
                }
            }

            text.Append('\n');
        }

        return text;
    }
}
