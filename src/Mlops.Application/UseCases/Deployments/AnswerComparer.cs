using System.Text.Json;

namespace Mlops.Application.UseCases.Deployments;

/// <summary>
/// Accumulates row-by-row agreement between two logged answers (<c>{"columns": [...], "data": [[...]]}</c>): equality of
/// the first output column, and the absolute difference of every numeric column the two share.
/// </summary>
internal sealed class AnswerComparer
{
    private readonly Dictionary<string, (double Sum, long Count)> _differences = new(StringComparer.Ordinal);
    private long _rows;
    private long _agreeing;

    public double? Agreement => _rows == 0 ? null : (double)_agreeing / _rows;

    public IReadOnlyDictionary<string, double> MeanAbsoluteDifference =>
        _differences.Where(d => d.Value.Count > 0).ToDictionary(d => d.Key, d => d.Value.Sum / d.Value.Count, StringComparer.Ordinal);

    public void Add(string liveJson, string shadowJson)
    {
        using var live = JsonDocument.Parse(liveJson);
        using var shadow = JsonDocument.Parse(shadowJson);
        if (!TryRead(live.RootElement, out var liveColumns, out var liveRows) || !TryRead(shadow.RootElement, out var shadowColumns, out var shadowRows))
        {
            return;
        }

        var shared = liveColumns.Select((name, i) => (name, i, j: Array.IndexOf(shadowColumns, name))).Where(c => c.j >= 0).ToList();
        var rows = Math.Min(liveRows.GetArrayLength(), shadowRows.GetArrayLength());
        for (var row = 0; row < rows; row++)
        {
            var a = liveRows[row];
            var b = shadowRows[row];
            _rows++;
            if (liveColumns.Length > 0 && shadowColumns.Length > 0 && a[0].GetRawText() == b[0].GetRawText())
            {
                _agreeing++;
            }

            foreach (var (name, i, j) in shared)
            {
                if (a[i].ValueKind == JsonValueKind.Number && b[j].ValueKind == JsonValueKind.Number)
                {
                    var (sum, count) = _differences.GetValueOrDefault(name);
                    _differences[name] = (sum + Math.Abs(a[i].GetDouble() - b[j].GetDouble()), count + 1);
                }
            }
        }
    }

    private static bool TryRead(JsonElement root, out string[] columns, out JsonElement rows)
    {
        columns = [];
        rows = default;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("columns", out var names) || !root.TryGetProperty("data", out rows))
        {
            return false;
        }

        columns = [.. names.EnumerateArray().Select(n => n.GetString() ?? "")];
        return rows.ValueKind == JsonValueKind.Array;
    }
}
