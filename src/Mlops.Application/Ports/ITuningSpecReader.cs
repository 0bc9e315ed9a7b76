using Mlops.Application.UseCases.Optimization;

namespace Mlops.Application.Ports;

/// <summary>Reads tuning specs (a training spec with hyperparameter ranges) and writes each trial's training spec.</summary>
public interface ITuningSpecReader
{
    /// <summary>Parses and validates; errors name the field. The template is checked with every range at its low end.</summary>
    TuningSpec Parse(string text);

    /// <summary>The training spec text of one trial: the template with these hyperparameter values and no registration.</summary>
    string TrialSpec(string text, IReadOnlyDictionary<string, object> values, string runName);
}
