using System.Globalization;
using System.Text.Json;
using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    /// <summary>
    /// Creates a study for an external objective. <paramref name="spaceJson"/> is an array of parameters, e.g.
    /// <c>[{"name":"lr","type":"float","low":1e-4,"high":1,"log":true},{"name":"depth","type":"int","low":1,"high":10}]</c>.
    /// </summary>
    public async Task<StudyDto> CreateStudyAsync(string name, string spaceJson, string direction = "minimize", string? sampler = null, long? seed = null,
        string? pruner = null, Dictionary<string, double>? prunerOptions = null, bool loadIfExists = false, CancellationToken cancellationToken = default)
    {
        using var space = JsonDocument.Parse(spaceJson);
        var request = new CreateStudyRequest
        {
            Name = name,
            Direction = direction,
            Space = space.RootElement.Clone(),
            Sampler = sampler,
            Seed = seed,
            Pruner = pruner,
            PrunerOptions = prunerOptions,
            LoadIfExists = loadIfExists,
        };
        return (await SendAsync(HttpMethod.Post, NativeApi + "studies", request, s_json.CreateStudyRequest, s_json.StudyResponse, cancellationToken)).Study!;
    }

    /// <summary>Starts a tuning study from a training spec with hyperparameter ranges; its trials run as training jobs on the workers.</summary>
    public async Task<StudyDto> TuneAsync(string spec, string? basePath = null, int? trials = null, int? parallel = null, TimeSpan? timeout = null,
        string? sampler = null, long? seed = null, string? name = null, CancellationToken cancellationToken = default)
    {
        var request = new TuneRequest
        {
            Spec = spec,
            BasePath = basePath,
            Trials = trials,
            Parallel = parallel,
            TimeoutSeconds = timeout is { } t ? (long)Math.Ceiling(t.TotalSeconds) : null,
            Sampler = sampler,
            Seed = seed,
            Name = name,
        };
        return (await SendAsync(HttpMethod.Post, NativeApi + "tune", request, s_json.TuneRequest, s_json.StudyResponse, cancellationToken)).Study!;
    }

    /// <summary>A study with its trial counts and best trial(s).</summary>
    public async Task<StudyDto> GetStudyAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}studies/{Uri.EscapeDataString(name)}", cancellationToken);
        return (await ReadAsync(response, s_json.StudyResponse, cancellationToken)).Study!;
    }

    /// <summary>Studies, newest first.</summary>
    public async Task<StudiesResponse> ListStudiesAsync(int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}studies" + Query(("max_results", maxResults?.ToString(CultureInfo.InvariantCulture)), ("page_token", pageToken)), cancellationToken);
        return await ReadAsync(response, s_json.StudiesResponse, cancellationToken);
    }

    /// <summary>Every trial of a study, in number order.</summary>
    public async Task<List<TrialDto>> GetTrialsAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}studies/{Uri.EscapeDataString(name)}/trials", cancellationToken);
        return (await ReadAsync(response, s_json.TrialsResponse, cancellationToken)).Trials ?? [];
    }

    /// <summary>The best trial (or the Pareto front of a multi-objective study).</summary>
    public async Task<List<TrialDto>> GetBestTrialsAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}studies/{Uri.EscapeDataString(name)}/best", cancellationToken);
        return (await ReadAsync(response, s_json.TrialsResponse, cancellationToken)).Trials ?? [];
    }

    /// <summary>Each parameter's share of the objective's variation over the complete trials.</summary>
    public async Task<Dictionary<string, double>> GetParameterImportancesAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}studies/{Uri.EscapeDataString(name)}/importances", cancellationToken);
        return (await ReadAsync(response, s_json.ImportancesResponse, cancellationToken)).Importances ?? [];
    }

    /// <summary>Stops a study: no new trials; a training study's trial jobs are cancelled.</summary>
    public async Task<StudyDto> StopStudyAsync(string name, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"{NativeApi}studies/{Uri.EscapeDataString(name)}/stop", content, cancellationToken);
        return (await ReadAsync(response, s_json.StudyResponse, cancellationToken)).Study!;
    }

    /// <summary>Starts a trial; its <see cref="TrialDto.Params"/> are the values to evaluate.</summary>
    public async Task<TrialDto> AskAsync(string study, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"{NativeApi}studies/{Uri.EscapeDataString(study)}/ask", content, cancellationToken);
        return (await ReadAsync(response, s_json.TrialResponse, cancellationToken)).Trial!;
    }

    /// <summary>Reports an intermediate value; true when the study's pruner advises stopping (then tell the trial as pruned).</summary>
    public async Task<bool> ReportAsync(string study, int trial, int step, double value, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}studies/{Uri.EscapeDataString(study)}/trials/{trial}/report", new ReportRequest { Step = step, Value = value },
            s_json.ReportRequest, s_json.ReportResponse, cancellationToken)).ShouldPrune;

    /// <summary>Completes a trial with its objective value(s).</summary>
    public async Task<TrialDto> TellAsync(string study, int trial, IReadOnlyList<double> values, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}studies/{Uri.EscapeDataString(study)}/trials/{trial}/tell", new TellRequest { Values = [.. values] },
            s_json.TellRequest, s_json.TrialResponse, cancellationToken)).Trial!;

    /// <summary>Ends a trial without a value: <paramref name="state"/> is "pruned" or "failed".</summary>
    public async Task<TrialDto> TellStateAsync(string study, int trial, string state, string? error = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}studies/{Uri.EscapeDataString(study)}/trials/{trial}/tell", new TellRequest { State = state, Error = error },
            s_json.TellRequest, s_json.TrialResponse, cancellationToken)).Trial!;
}
