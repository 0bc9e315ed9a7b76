using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Domain.Common;

namespace Mlops.Domain.Models;

/// <summary>
/// A reference to a model that the API, the CLI, the client and serving all resolve the same way:
/// <c>models:/name/3</c>, <c>models:/name@champion</c>, <c>models:/name/Production</c>, <c>models:/name/latest</c>
/// or <c>runs:/&lt;run_id&gt;/path</c>. Parsing checks the shape only; whether the model exists is the registry's business.
/// Other schemes (file:, s3:, http:) are refused so that a URI can never point the server at an arbitrary location.
/// </summary>
public sealed partial record ModelUri
{
    public const string ModelsScheme = "models:";
    public const string RunsScheme = "runs:";
    public const string LatestKeyword = "latest";

    private const string AcceptedForms =
        "Expected models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage> (None, Staging, Production, Archived), " +
        "models:/<name>/latest or runs:/<run_id>/<path>.";

    /// <summary>The stage names in their canonical spelling; URIs match them case-insensitively, as MLflow does.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["None", "Staging", "Production", "Archived"];

    private ModelUri(ModelUriKind kind)
    {
        Kind = kind;
    }

    public ModelUriKind Kind { get; }

    /// <summary>The registered model name; null for <see cref="ModelUriKind.Run"/>.</summary>
    public string? Name { get; private init; }

    public int? Version { get; private init; }

    public string? Alias { get; private init; }

    /// <summary>The stage in its canonical spelling (one of <see cref="Stages"/>).</summary>
    public string? Stage { get; private init; }

    public string? RunId { get; private init; }

    /// <summary>For <see cref="ModelUriKind.Run"/>, the normalised path under the run's artifact root ("" for the root).</summary>
    public string? ArtifactPath { get; private init; }

    // Same grammar as ExperimentTrackingService.ValidateRunId, so every run id the tracking store accepts can be referenced.
    [GeneratedRegex(@"^[a-zA-Z0-9][\w\-]{0,255}\z")]
    private static partial Regex RunIdGrammar();

    // MLflow's alias grammar (letters, digits, '_' and '-').
    [GeneratedRegex(@"^[\w\-]{1,255}\z")]
    private static partial Regex AliasGrammar();

    public static ModelUri ForVersion(string name, int version) => Parse($"{ModelsScheme}/{name}/{version.ToString(CultureInfo.InvariantCulture)}");

    public static ModelUri ForAlias(string name, string alias) => Parse($"{ModelsScheme}/{name}@{alias}");

    public static ModelUri ForRun(string runId, string artifactPath = "") => Parse($"{RunsScheme}/{runId}/{artifactPath}");

    public static ModelUri Parse(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            throw Invalid(uri, "it is empty");
        }

        if (uri.StartsWith(ModelsScheme, StringComparison.Ordinal))
        {
            return ParseModels(uri, uri[ModelsScheme.Length..]);
        }

        if (uri.StartsWith(RunsScheme, StringComparison.Ordinal))
        {
            return ParseRuns(uri, uri[RunsScheme.Length..]);
        }

        throw Invalid(uri, "only the models: and runs: schemes are supported");
    }

    public override string ToString() => Kind switch
    {
        ModelUriKind.Version => $"{ModelsScheme}/{Name}/{Version!.Value.ToString(CultureInfo.InvariantCulture)}",
        ModelUriKind.Alias => $"{ModelsScheme}/{Name}@{Alias}",
        ModelUriKind.Stage => $"{ModelsScheme}/{Name}/{Stage}",
        ModelUriKind.Latest => $"{ModelsScheme}/{Name}/{LatestKeyword}",
        _ => ArtifactPath!.Length == 0 ? $"{RunsScheme}/{RunId}" : $"{RunsScheme}/{RunId}/{ArtifactPath}",
    };

    private static ModelUri ParseModels(string uri, string rest)
    {
        if (!rest.StartsWith('/'))
        {
            throw Invalid(uri, "a models URI starts with models:/");
        }

        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            throw Invalid(uri, "a registry host (models://) is not supported");
        }

        rest = rest[1..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var name = CheckName(uri, rest[..slash]);
            var suffix = rest[(slash + 1)..];
            if (suffix.Length == 0)
            {
                throw Invalid(uri, "the version, stage or 'latest' after the name is missing");
            }

            if (suffix.Contains('/', StringComparison.Ordinal))
            {
                throw Invalid(uri, "a model name cannot contain '/' and nothing may follow the version, stage or 'latest'");
            }

            if (suffix.All(char.IsAsciiDigit))
            {
                if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
                {
                    throw Invalid(uri, "a version is a positive integer");
                }

                return new ModelUri(ModelUriKind.Version) { Name = name, Version = version };
            }

            if (string.Equals(suffix, LatestKeyword, StringComparison.OrdinalIgnoreCase))
            {
                return new ModelUri(ModelUriKind.Latest) { Name = name };
            }

            var stage = Stages.FirstOrDefault(s => string.Equals(s, suffix, StringComparison.OrdinalIgnoreCase));
            return stage is null
                ? throw Invalid(uri, $"'{suffix}' is neither a positive version number, a stage nor 'latest'")
                : new ModelUri(ModelUriKind.Stage) { Name = name, Stage = stage };
        }

        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            throw Invalid(uri, "a version, stage, 'latest' or @alias must follow the model name");
        }

        var aliasName = CheckName(uri, rest[..at]);
        var alias = rest[(at + 1)..];
        if (!AliasGrammar().IsMatch(alias))
        {
            throw Invalid(uri, "an alias is 1 to 255 letters, digits, '_' or '-'");
        }

        return new ModelUri(ModelUriKind.Alias) { Name = aliasName, Alias = alias };
    }

    private static ModelUri ParseRuns(string uri, string rest)
    {
        if (!rest.StartsWith('/') || rest.StartsWith("//", StringComparison.Ordinal))
        {
            throw Invalid(uri, "a runs URI is runs:/<run_id>/<path>");
        }

        rest = rest[1..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var runId = slash < 0 ? rest : rest[..slash];
        if (!RunIdGrammar().IsMatch(runId))
        {
            throw Invalid(uri, "the run id is missing or is not a valid run id");
        }

        try
        {
            var path = Artifacts.ArtifactPath.Parse(slash < 0 ? "" : rest[(slash + 1)..]);
            return new ModelUri(ModelUriKind.Run) { RunId = runId, ArtifactPath = path.Value };
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            throw Invalid(uri, e.Message.TrimEnd('.'));
        }
    }

    private static string CheckName(string uri, string name)
    {
        if (name.Length == 0)
        {
            throw Invalid(uri, "the model name is empty");
        }

        if (name.Contains('@', StringComparison.Ordinal))
        {
            throw Invalid(uri, "a model name cannot contain '@'");
        }

        if (name.Any(char.IsControl))
        {
            throw Invalid(uri, "a model name cannot contain control characters");
        }

        return name;
    }

    private static MlopsException Invalid(string? uri, string why) =>
        MlopsException.Invalid($"Invalid model URI '{Shorten(uri)}': {why}. {AcceptedForms}");

    private static string Shorten(string? value) => value is null ? "" : value.Length > 200 ? value[..200] + "..." : value;
}
