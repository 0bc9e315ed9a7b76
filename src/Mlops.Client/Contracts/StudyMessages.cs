using System.Text.Json;

#pragma warning disable CS1591 // Plain wire fields; the meaningful ones carry docs.

namespace Mlops.Client.Contracts;

/// <summary>Creates a study for an external objective driven by ask/tell.</summary>
public sealed class CreateStudyRequest
{
    public string? Name { get; set; }

    /// <summary>One per objective: "minimize" or "maximize". <see cref="Direction"/> is the shorthand for one.</summary>
    public List<string>? Directions { get; set; }

    public string? Direction { get; set; }

    /// <summary>An array of parameters: <c>{"name", "type": "float"|"int"|"categorical", "low", "high", "log", "step", "choices", "condition"}</c>.</summary>
    public JsonElement? Space { get; set; }

    /// <summary>auto (default), gp, tpe, tpe_multivariate, random or grid.</summary>
    public string? Sampler { get; set; }

    public long? Seed { get; set; }

    /// <summary>none (default), median, percentile, successive_halving or hyperband.</summary>
    public string? Pruner { get; set; }

    public Dictionary<string, double>? PrunerOptions { get; set; }

    /// <summary>Return the existing study of this name (same space and directions) instead of failing.</summary>
    public bool? LoadIfExists { get; set; }
}

/// <summary>Starts a tuning study whose trials are training jobs: a training spec with ranges for hyperparameters.</summary>
public sealed class TuneRequest
{
    public string? Spec { get; set; }

    public string? BasePath { get; set; }

    /// <summary>Overrides of the spec's <c>tune:</c> section.</summary>
    public int? Trials { get; set; }

    public int? Parallel { get; set; }

    public long? TimeoutSeconds { get; set; }

    public string? Sampler { get; set; }

    public long? Seed { get; set; }

    public string? Name { get; set; }
}

public sealed class StudyDto
{
    public long Id { get; set; }

    public string? Name { get; set; }

    public List<string>? Directions { get; set; }

    public JsonElement? Space { get; set; }

    public string? Sampler { get; set; }

    /// <summary>The sampler "auto" resolved to for this space.</summary>
    public string? SamplerResolved { get; set; }

    public long Seed { get; set; }

    public string? Pruner { get; set; }

    public Dictionary<string, double>? PrunerOptions { get; set; }

    /// <summary>running, completed or stopped.</summary>
    public string? Status { get; set; }

    /// <summary>"external" (ask/tell) or "training" (trials are training jobs).</summary>
    public string? Objective { get; set; }

    public string? ExperimentId { get; set; }

    public string? ParentRunId { get; set; }

    public long CreatedAt { get; set; }

    public int TotalTrials { get; set; }

    /// <summary>Trials per state: running, complete, pruned, failed.</summary>
    public Dictionary<string, int>? TrialCounts { get; set; }

    /// <summary>The best trial, or the Pareto front of a multi-objective study.</summary>
    public List<TrialDto>? BestTrials { get; set; }

    /// <summary>For training studies: the planned number of trials and parallelism.</summary>
    public int? PlannedTrials { get; set; }

    public int? Parallel { get; set; }
}

public sealed class TrialDto
{
    public int Number { get; set; }

    /// <summary>running, complete, pruned or failed.</summary>
    public string? State { get; set; }

    /// <summary>Parameter values as the objective uses them: numbers, integers, or the chosen choice.</summary>
    public Dictionary<string, JsonElement>? Params { get; set; }

    public List<double>? Values { get; set; }

    /// <summary>Intermediate values by step (the keys are step numbers).</summary>
    public Dictionary<string, double>? Intermediate { get; set; }

    public long StartedAt { get; set; }

    public long? CompletedAt { get; set; }

    public string? RunId { get; set; }

    public long? JobId { get; set; }

    public string? Error { get; set; }
}

public sealed class StudyResponse
{
    public StudyDto? Study { get; set; }
}

public sealed class StudiesResponse
{
    public List<StudyDto>? Studies { get; set; }

    public string? NextPageToken { get; set; }
}

public sealed class TrialResponse
{
    public TrialDto? Trial { get; set; }
}

public sealed class TrialsResponse
{
    public List<TrialDto>? Trials { get; set; }
}

public sealed class ReportRequest
{
    public int? Step { get; set; }

    public double? Value { get; set; }
}

public sealed class ReportResponse
{
    /// <summary>The pruner's advice: stop this trial and tell it as pruned.</summary>
    public bool ShouldPrune { get; set; }
}

/// <summary>Finishes a trial: <c>values</c> (or <c>value</c>) when complete, or <c>state</c> pruned/failed.</summary>
public sealed class TellRequest
{
    public List<double>? Values { get; set; }

    public double? Value { get; set; }

    /// <summary>complete (the default when values are given), pruned or failed.</summary>
    public string? State { get; set; }

    public string? Error { get; set; }
}

public sealed class ImportancesResponse
{
    /// <summary>Each parameter's share of the objective's explained variation, highest first, summing to 1.</summary>
    public Dictionary<string, double>? Importances { get; set; }

    public string? Method { get; set; }
}
