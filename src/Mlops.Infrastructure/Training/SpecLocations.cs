using Mlops.Domain.Common;
using YamlDotNet.Core;

namespace Mlops.Infrastructure.Training;

/// <summary>
/// The line each field path was read from, so that problems found later by the domain rules (which know paths but
/// not lines) can still point the user at the line to fix.
/// </summary>
internal sealed class SpecLocations
{
    public const string RootName = "training spec";

    private readonly Dictionary<string, long> _lines = new(StringComparer.Ordinal);

    public static string Child(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    public void Record(string path, Mark mark) => _lines.TryAdd(path, mark.Line);

    /// <summary>The line of <paramref name="path"/>, or of its nearest recorded ancestor (a default has no line of its own).</summary>
    public long? LineOf(string path)
    {
        while (path.Length > 0)
        {
            if (_lines.TryGetValue(path, out var line))
            {
                return line;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut < 0 ? "" : path[..cut];
        }

        return null;
    }

    public string Format(string path, string message)
    {
        var line = LineOf(path);
        return (path.Length == 0 ? RootName : path) + ": " + message + (line is { } l ? $" (line {l})" : "");
    }

    public MlopsException Error(string path, string message) => MlopsException.Invalid(Format(path, message));
}
