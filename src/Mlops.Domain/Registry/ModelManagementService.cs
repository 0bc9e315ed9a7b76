using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Domain.Registry;

/// <summary>The registry's rules: names, versions, aliases, tags and descriptions, whatever the caller.</summary>
public static partial class ModelManagementService
{
    public const int MaxModelNameLength = 256;
    public const int MaxAliasLength = 255;
    public const int MaxTagKeyLength = 250;
    public const int MaxTagValueLength = 5000;
    public const int MaxDescriptionLength = 5000;
    public const int MaxSourceLength = 4096;

    [GeneratedRegex(@"^[\w\-]*\z")]
    private static partial Regex AliasGrammar();

    [GeneratedRegex(@"^v\d+\z", RegexOptions.IgnoreCase)]
    private static partial Regex VersionLikeAlias();

    public static string ValidateModelName(string? name, string field = "name")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{field}': a registered model name must be a non-empty string.");
        }

        if (name.Length > MaxModelNameLength)
        {
            throw MlopsException.Invalid($"Invalid model name: it is {name.Length} characters long; the limit is {MaxModelNameLength}.");
        }

        // '/' and '@' would make models:/ URIs ambiguous; control characters have no place in a name.
        if (name.IndexOfAny(['/', '@', '\\']) >= 0 || name.Any(char.IsControl) || name != name.Trim())
        {
            throw MlopsException.Invalid($"Invalid model name '{name}': names cannot contain '/', '@', '\\' or control characters, nor start or end with spaces.");
        }

        return name;
    }

    public static long ParseVersion(string? version, string field = "version")
    {
        if (string.IsNullOrEmpty(version))
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{field}'.");
        }

        if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw MlopsException.Invalid($"Invalid model version '{version}': versions are positive integers.");
        }

        return number;
    }

    public static string ValidateAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'alias'.");
        }

        if (alias.Length > MaxAliasLength || !AliasGrammar().IsMatch(alias))
        {
            throw MlopsException.Invalid($"Invalid alias '{Shorten(alias)}': aliases are up to {MaxAliasLength} letters, digits, '_' or '-'.");
        }

        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase) || VersionLikeAlias().IsMatch(alias))
        {
            throw MlopsException.Invalid($"Invalid alias '{alias}': 'latest' and 'v<number>' are reserved because models:/name/latest and version references use them.");
        }

        return alias;
    }

    public static Tag ValidateTag(string? key, string? value)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'key'.");
        }

        if (key.Length > MaxTagKeyLength)
        {
            throw MlopsException.Invalid($"Invalid tag key: it is {key.Length} characters long; the limit is {MaxTagKeyLength}.");
        }

        ExperimentTrackingService.ValidateTagKey(key);
        if (value is null)
        {
            throw MlopsException.Invalid("Missing value for required parameter 'value'.");
        }

        if (value.Length > MaxTagValueLength)
        {
            throw MlopsException.Invalid($"Tag value for key '{key}' is {value.Length} characters long; the limit is {MaxTagValueLength}.");
        }

        return new Tag(key, value);
    }

    public static string ValidateDescription(string? description)
    {
        if (description is not null && description.Length > MaxDescriptionLength)
        {
            throw MlopsException.Invalid($"Description is {description.Length} characters long; the limit is {MaxDescriptionLength}.");
        }

        return description ?? "";
    }

    public static MlopsException ModelNotFound(string name) => MlopsException.NotFound($"Registered Model with name={name} not found");

    public static MlopsException VersionNotFound(string name, long version) => MlopsException.NotFound($"Model Version (name={name}, version={version}) not found");

    public static MlopsException AliasNotFound(string name, string alias) => MlopsException.NotFound($"Registered model alias {alias} not found on model {name}.");

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "...";
}
