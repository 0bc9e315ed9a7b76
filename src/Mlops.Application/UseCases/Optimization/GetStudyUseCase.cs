using Mlops.Application.Ports;
using Mlops.Domain.Optimization;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>A study with its trial counts and best trial(s) (the Pareto front when it has several objectives).</summary>
public sealed record StudySummary(Study Study, IReadOnlyDictionary<TrialState, int> Counts, IReadOnlyList<Trial> Best, int TotalTrials);

/// <summary>Reads studies, their trials, best trials and parameter importances.</summary>
public sealed class GetStudyUseCase(IStudyStore store, IParameterImportance importance)
{
    public async Task<StudySummary> GetAsync(string name, CancellationToken cancellationToken)
    {
        var study = await store.RequireAsync(name, cancellationToken);
        return Summarize(study, await store.ListTrialsAsync(study.Id, cancellationToken));
    }

    public async Task<(IReadOnlyList<StudySummary> Studies, bool HasMore)> ListAsync(int maxResults, long offset, CancellationToken cancellationToken)
    {
        var page = await store.ListStudiesAsync(maxResults, offset, cancellationToken);
        var summaries = new List<StudySummary>();
        foreach (var study in page.Items)
        {
            summaries.Add(Summarize(study, await store.ListTrialsAsync(study.Id, cancellationToken)));
        }

        return (summaries, page.HasMore);
    }

    public async Task<(Study Study, IReadOnlyList<Trial> Trials)> TrialsAsync(string name, CancellationToken cancellationToken)
    {
        var study = await store.RequireAsync(name, cancellationToken);
        return (study, await store.ListTrialsAsync(study.Id, cancellationToken));
    }

    /// <summary>How much each parameter explains the objective over the complete trials (shares summing to 1).</summary>
    public async Task<IReadOnlyDictionary<string, double>> ImportancesAsync(string name, CancellationToken cancellationToken)
    {
        var (study, trials) = await TrialsAsync(name, cancellationToken);
        var complete = trials.Where(t => t.State == TrialState.Complete).Select(t => t.ToSnapshot()).ToList();
        return importance.Compute(study.Space, complete, study.Directions[0]);
    }

    public static StudySummary Summarize(Study study, IReadOnlyList<Trial> trials) => new(
        study,
        Enum.GetValues<TrialState>().ToDictionary(s => s, s => trials.Count(t => t.State == s)),
        StudyRules.Best(study, trials),
        trials.Count);
}
