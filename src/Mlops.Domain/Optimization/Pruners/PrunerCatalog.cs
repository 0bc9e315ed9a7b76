using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Pruners;

/// <summary>The pruners a study can name, their options, and validation of both.</summary>
public static class PrunerCatalog
{
    private static readonly Dictionary<string, string[]> s_options = new(StringComparer.Ordinal)
    {
        ["none"] = [],
        ["median"] = ["startup_trials", "warmup_steps", "interval_steps"],
        ["percentile"] = ["percentile", "startup_trials", "warmup_steps", "interval_steps"],
        ["successive_halving"] = ["min_resource", "reduction_factor", "min_early_stopping_rate"],
        ["hyperband"] = ["min_resource", "max_resource", "reduction_factor"],
    };

    public static IReadOnlyCollection<string> Names => s_options.Keys;

    /// <summary>Checks the name and options (by building the pruner) and returns the normalised spec.</summary>
    public static PrunerSpec Validate(string? name, IReadOnlyDictionary<string, double>? options)
    {
        var normalized = string.IsNullOrWhiteSpace(name) ? "none" : name.Trim().ToLowerInvariant().Replace('-', '_');
        if (!s_options.TryGetValue(normalized, out var allowed))
        {
            throw MlopsException.Invalid($"Unknown pruner '{name}'; use one of {string.Join(", ", s_options.Keys)}.");
        }

        var given = options ?? new Dictionary<string, double>();
        var unknown = given.Keys.FirstOrDefault(k => !allowed.Contains(k));
        if (unknown is not null)
        {
            throw MlopsException.Invalid(allowed.Length == 0
                ? $"The pruner '{normalized}' takes no options; got '{unknown}'."
                : $"The pruner '{normalized}' has no option '{unknown}'; its options are {string.Join(", ", allowed)}.");
        }

        var spec = new PrunerSpec(normalized, new Dictionary<string, double>(given, StringComparer.Ordinal));
        _ = Create(spec);
        return spec;
    }

    public static IPruner Create(PrunerSpec spec)
    {
        int Int(string key, int fallback)
        {
            if (!spec.Options.TryGetValue(key, out var value))
            {
                return fallback;
            }

            return value == Math.Floor(value) && value is >= 0 and <= int.MaxValue
                ? (int)value
                : throw MlopsException.Invalid($"The pruner option '{key}' must be a whole number of 0 or more; got {value.ToString(CultureInfo.InvariantCulture)}.");
        }

        return spec.Name switch
        {
            "median" => new MedianPruner(Int("startup_trials", 5), Int("warmup_steps", 0), Int("interval_steps", 1)),
            "percentile" => new PercentilePruner(spec.Options.TryGetValue("percentile", out var p) ? p : 25, Int("startup_trials", 5), Int("warmup_steps", 0), Int("interval_steps", 1)),
            "successive_halving" => new SuccessiveHalvingPruner(Int("min_resource", 0), Int("reduction_factor", 4), Int("min_early_stopping_rate", 0)),
            "hyperband" => new HyperbandPruner(Int("min_resource", 1), Int("max_resource", 20), Int("reduction_factor", 3)),
            _ => new NopPruner(),
        };
    }
}
