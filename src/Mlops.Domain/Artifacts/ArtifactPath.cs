using System.Text.RegularExpressions;
using Mlops.Domain.Common;

namespace Mlops.Domain.Artifacts;

/// <summary>
/// A relative artifact path confined to its root: forward slashes only, no empty, '.' or '..' segments,
/// no absolute or drive-rooted paths, no backslashes, no characters that a URL or a shell could reinterpret
/// (#, ?, %-escapes that decode further, control characters). The empty path is the root itself.
/// </summary>
public readonly partial record struct ArtifactPath
{
    private ArtifactPath(string value) => Value = value;

    public static ArtifactPath Root { get; } = new("");

    /// <summary>The normalised relative path, "" for the root.</summary>
    public string Value { get; }

    public bool IsRoot => Value.Length == 0;

    public IEnumerable<string> Segments => IsRoot ? [] : Value.Split('/');

    [GeneratedRegex("%[0-9A-Fa-f]{2}")]
    private static partial Regex PercentEscape();

    /// <summary>Parses an already URL-decoded path; trailing slashes are dropped.</summary>
    public static ArtifactPath Parse(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return Root;
        }

        if (raw.Length > 4096)
        {
            throw Invalid(raw, "it is longer than 4096 characters");
        }

        if (raw.StartsWith('/') || (raw.Length >= 2 && char.IsAsciiLetter(raw[0]) && raw[1] == ':' && (raw.Length == 2 || raw[2] is '/' or '\\')))
        {
            throw Invalid(raw, "absolute paths are not allowed");
        }

        foreach (var c in raw)
        {
            if (c == '\\')
            {
                throw Invalid(raw, "backslashes are not allowed");
            }

            if (c is '#' or '?' || char.IsControl(c))
            {
                throw Invalid(raw, $"the character {(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())} is not allowed");
            }
        }

        if (PercentEscape().IsMatch(raw))
        {
            throw Invalid(raw, "percent-encoded sequences are not allowed (the path was already decoded once)");
        }

        var trimmed = raw.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return Root;
        }

        foreach (var segment in trimmed.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw Invalid(raw, "empty path segments ('//') are not allowed");
            }

            if (segment is "." or "..")
            {
                throw Invalid(raw, "'.' and '..' segments are not allowed");
            }

            if (segment.Length > 255)
            {
                throw Invalid(raw, "a path segment is longer than 255 characters");
            }
        }

        return new ArtifactPath(trimmed);
    }

    public ArtifactPath Combine(ArtifactPath other) =>
        IsRoot ? other : other.IsRoot ? this : new ArtifactPath(Value + "/" + other.Value);

    /// <summary>The path relative to <paramref name="ancestor"/>, or null when it is not below it.</summary>
    public string? RelativeTo(ArtifactPath ancestor)
    {
        if (ancestor.IsRoot)
        {
            return Value;
        }

        if (Value == ancestor.Value)
        {
            return "";
        }

        return Value.StartsWith(ancestor.Value + "/", StringComparison.Ordinal) ? Value[(ancestor.Value.Length + 1)..] : null;
    }

    public override string ToString() => Value;

    private static MlopsException Invalid(string raw, string why) =>
        MlopsException.Invalid($"Invalid artifact path '{(raw.Length > 200 ? raw[..200] + "..." : raw)}': {why}.");
}
