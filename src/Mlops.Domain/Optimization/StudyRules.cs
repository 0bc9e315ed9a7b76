using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization;

/// <summary>The rules of studies and trials: names, directions, told values, best trials.</summary>
public static class StudyRules
{
    public const int MaxNameLength = 250;
    public const int MaxDirections = 8;
    public const int MaxStep = int.MaxValue;

    public static void CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl) || name.Contains('/'))
        {
            throw MlopsException.Invalid($"A study name must be 1 to {MaxNameLength} characters without '/' or control characters.");
        }
    }

    public static void CheckDirections(IReadOnlyList<StudyDirection> directions)
    {
        if (directions.Count is 0 or > MaxDirections)
        {
            throw MlopsException.Invalid($"A study needs 1 to {MaxDirections} directions (minimize or maximize).");
        }
    }

    /// <summary>Told values: one finite number per direction. NaN or infinity is refused rather than poisoning the sampler.</summary>
    public static void CheckValues(Study study, IReadOnlyList<double> values)
    {
        if (values.Count != study.Directions.Count)
        {
            throw MlopsException.Invalid($"Study '{study.Name}' has {study.Directions.Count} objective(s); {values.Count} value(s) were told.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw MlopsException.Invalid($"Objective value {i} is {values[i]}; tell a finite number, or tell the trial as failed.");
            }
        }
    }

    public static void CheckIntermediate(int step, double value)
    {
        if (step < 0)
        {
            throw MlopsException.Invalid($"A step must be 0 or more; got {step}.");
        }

        if (double.IsInfinity(value))
        {
            throw MlopsException.Invalid($"The intermediate value at step {step} is infinite.");
        }
    }

    /// <summary>The running trial, or a conflict that says why a finished one cannot change.</summary>
    public static Trial Running(Study study, Trial? trial, int number)
    {
        if (trial is null)
        {
            throw MlopsException.NotFound($"Study '{study.Name}' has no trial {number}.");
        }

        return trial.State == TrialState.Running
            ? trial
            : throw new MlopsException(ErrorKind.Conflict, $"Trial {number} of study '{study.Name}' is already {trial.State.ToString().ToLowerInvariant()}; a finished trial cannot be told or reported again.");
    }

    /// <summary>
    /// The best complete trials: for one objective the single best (ties go to the earliest), for several the
    /// Pareto front (trials no other trial dominates).
    /// </summary>
    public static IReadOnlyList<Trial> Best(Study study, IReadOnlyList<Trial> trials)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Values is not null).ToList();
        if (complete.Count == 0)
        {
            return [];
        }

        if (study.Directions.Count == 1)
        {
            var sign = study.Directions[0] == StudyDirection.Minimize ? 1 : -1;
            var best = complete[0];
            foreach (var trial in complete)
            {
                if (sign * trial.Values![0] < sign * best.Values![0])
                {
                    best = trial;
                }
            }

            return [best];
        }

        return [.. complete.Where(t => !complete.Any(o => Dominates(study.Directions, o.Values!, t.Values!)))];
    }

    public static bool Dominates(IReadOnlyList<StudyDirection> directions, IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var strictlyBetter = false;
        for (var i = 0; i < directions.Count; i++)
        {
            var (x, y) = directions[i] == StudyDirection.Minimize ? (a[i], b[i]) : (-a[i], -b[i]);
            if (x > y)
            {
                return false;
            }

            strictlyBetter |= x < y;
        }

        return strictlyBetter;
    }

    public static string ToWire(this StudyDirection direction) => direction == StudyDirection.Minimize ? "minimize" : "maximize";

    public static StudyDirection ParseDirection(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "minimize" or "min" => StudyDirection.Minimize,
        "maximize" or "max" => StudyDirection.Maximize,
        _ => throw MlopsException.Invalid($"A direction must be 'minimize' or 'maximize'; got '{text}'."),
    };

    public static string ToWire(this TrialState state) => state.ToString().ToLowerInvariant();

    public static string ToWire(this StudyStatus status) => status.ToString().ToLowerInvariant();
}
