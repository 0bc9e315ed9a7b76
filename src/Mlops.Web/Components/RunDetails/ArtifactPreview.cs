using System.Text;
using System.Text.Json;

namespace Mlops.Web.Components.RunDetails;

/// <summary>How an artifact is previewed, decided by its extension and, for text, by its first bytes.</summary>
public enum PreviewKind
{
    None,
    Text,
    Json,
    Table,
    Image,
}

/// <summary>The start of an artifact read for preview: at most <see cref="MaxBytes"/>, so a 2 GB file costs nothing.</summary>
public sealed record ArtifactPreview(PreviewKind Kind, string Text, IReadOnlyList<IReadOnlyList<string>> Rows, bool Truncated)
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxRows = 200;

    private static readonly string[] s_images = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"];
    private static readonly string[] s_text = [".txt", ".log", ".yaml", ".yml", ".md", ".py", ".toml", ".ini", ".cfg", ".html", ".xml", ".svg", ".sql", ".sh", ""];

    public static PreviewKind KindOf(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return extension switch
        {
            _ when s_images.Contains(extension) => PreviewKind.Image,
            ".json" => PreviewKind.Json,
            ".csv" or ".tsv" => PreviewKind.Table,
            _ when s_text.Contains(extension) || name == "MLmodel" => PreviewKind.Text,
            _ => PreviewKind.None,
        };
    }

    public static async Task<ArtifactPreview> ReadAsync(string path, Stream stream, CancellationToken cancellationToken)
    {
        var kind = KindOf(path);
        if (kind is PreviewKind.None or PreviewKind.Image)
        {
            return new ArtifactPreview(kind, "", [], false);
        }

        var buffer = new byte[MaxBytes + 1];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }

        var truncated = read > MaxBytes;
        var bytes = buffer.AsSpan(0, Math.Min(read, MaxBytes));
        if (bytes.IndexOf((byte)0) >= 0)
        {
            return new ArtifactPreview(PreviewKind.None, "", [], truncated);
        }

        var text = Encoding.UTF8.GetString(bytes);
        return kind switch
        {
            PreviewKind.Json when !truncated && TryIndent(text) is { } pretty => new ArtifactPreview(PreviewKind.Json, pretty, [], false),
            PreviewKind.Table => new ArtifactPreview(PreviewKind.Table, "", ParseRows(text, path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ','), truncated),
            _ => new ArtifactPreview(PreviewKind.Text, text, [], truncated),
        };
    }

    private static string? TryIndent(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, JsonIndented.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>RFC 4180 fields (quotes, doubled quotes, separators and newlines inside quotes), first rows only.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> ParseRows(string text, char separator)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length && rows.Count < MaxRows; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if ((field.Length > 0 || row.Count > 0) && rows.Count < MaxRows)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }

    private static class JsonIndented
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
    }
}
