using System.Text.Json;

namespace Mlops.HpoBench.Reporting;

/// <summary>Optuna 3.1's recorded results (results-optuna.json, overhead-optuna.json), read for the side-by-side tables.</summary>
internal sealed class OptunaReference(JsonElement results, JsonElement overhead)
{
    public static OptunaReference Load(string folder) => new(
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results-optuna.json"))).RootElement.Clone(),
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "overhead-optuna.json"))).RootElement.Clone());

    public string Version => results.GetProperty("env").GetProperty("optuna").GetString() ?? "?";

    public IEnumerable<string> Samplers(string problem) =>
        results.GetProperty("problems").TryGetProperty(problem, out var p) ? p.GetProperty("samplers").EnumerateObject().Select(s => s.Name) : [];

    public int Seeds(string problem, string sampler) => Sampler(problem, sampler)?.GetProperty("n_seeds").GetInt32() ?? 0;

    /// <summary>Median, quartiles and mean of the best value or the regret at a checkpoint.</summary>
    public Summary? Checkpoint(string problem, string sampler, int checkpoint, string measure)
    {
        var s = Sampler(problem, sampler);
        if (s is null || !s.Value.GetProperty("checkpoints").TryGetProperty(checkpoint.ToString(System.Globalization.CultureInfo.InvariantCulture), out var c))
        {
            return null;
        }

        return Read(c.GetProperty(measure));
    }

    /// <summary>Mean ask+tell ms per trial over the run and over its last 10 trials (medians over seeds) from the 2-worker run.</summary>
    public (double Run, double Last10)? Overhead(string problem, string sampler)
    {
        var s = Sampler(problem, sampler);
        if (s is null)
        {
            return null;
        }

        var o = s.Value.GetProperty("overhead_ms_per_trial");
        return (o.GetProperty("mean_over_run").GetProperty("median").GetDouble(), o.GetProperty("last_10_trials").GetProperty("median").GetDouble());
    }

    /// <summary>The clean serial overhead run (median over its 3 seeds of the run mean and of the last-10 mean).</summary>
    public (double Run, double Last10)? SerialOverhead(string problem, string sampler)
    {
        var rows = overhead.EnumerateArray().Where(r => r.GetProperty("problem").GetString() == problem && r.GetProperty("sampler").GetString() == sampler).ToList();
        return rows.Count == 0
            ? null
            : (Summary.Of(rows.Select(r => r.GetProperty("mean_ms").GetDouble())).Median, Summary.Of(rows.Select(r => r.GetProperty("last10_ms").GetDouble())).Median);
    }

    public double? ObjectiveMs(string problem, string sampler) =>
        Sampler(problem, sampler) is { } s && s.TryGetProperty("objective_ms_per_trial_mean", out var o) ? o.GetDouble() : null;

    /// <summary>Optuna's lc_decay figures for a pruner: epochs, pruned trials, best value and its noise-free g, overhead.</summary>
    public JsonElement? Pruning(string pruner) =>
        results.TryGetProperty("pruning", out var p) && p.TryGetProperty(pruner, out var r) ? r : null;

    public static Summary Read(JsonElement stats) => new(
        stats.GetProperty("median").GetDouble(),
        stats.GetProperty("q25").GetDouble(),
        stats.GetProperty("q75").GetDouble(),
        stats.GetProperty("mean").GetDouble());

    private JsonElement? Sampler(string problem, string sampler) =>
        results.GetProperty("problems").TryGetProperty(problem, out var p) && p.GetProperty("samplers").TryGetProperty(sampler, out var s) ? s : null;
}
