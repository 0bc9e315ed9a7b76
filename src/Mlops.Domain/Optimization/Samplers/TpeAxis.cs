using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// One parameter as the Parzen estimators model it. Log parameters are modelled in log space. A float with a step
/// or an integer is modelled on its range widened by half a step at each end, with the probability of a value
/// being the kernel's mass over the step around it; a log integer is widened by half a unit before taking logs and
/// modelled as a density there.
/// </summary>
internal sealed class TpeAxis
{
    private readonly FloatDistribution? _float;
    private readonly IntDistribution? _int;

    private TpeAxis(ParameterDistribution parameter)
    {
        Parameter = parameter;
        switch (parameter)
        {
            case CategoricalDistribution categorical:
                Choices = categorical.Choices.Count;
                SingleValue = Choices == 1 ? 0 : null;
                break;
            case FloatDistribution f:
                _float = f;
                Log = f.Log;
                if (f.Log)
                {
                    Low = Math.Log(f.Low);
                    High = Math.Log(f.High);
                }
                else if (f.Step is { } step)
                {
                    var last = Math.Floor(((f.High - f.Low) / step) + 1e-9);
                    Step = step;
                    Low = f.Low - (0.5 * step);
                    High = f.Low + (last * step) + (0.5 * step);
                    SingleValue = last == 0 ? f.Low : null;
                }
                else
                {
                    Low = f.Low;
                    High = f.High;
                }

                SingleValue ??= f.Low == f.High ? f.Low : null;
                break;
            case IntDistribution i:
                _int = i;
                Log = i.Log;
                var count = ((double)i.High - i.Low) / i.Step;
                if (i.Log)
                {
                    Low = Math.Log(i.Low - 0.5);
                    High = Math.Log(i.High + 0.5);
                }
                else
                {
                    Step = i.Step;
                    Low = i.Low - (0.5 * i.Step);
                    High = i.Low + (Math.Floor(count) * i.Step) + (0.5 * i.Step);
                }

                SingleValue = count < 1 ? i.Low : null;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(parameter), parameter.GetType().Name, "Unknown distribution.");
        }
    }

    public ParameterDistribution Parameter { get; }

    public bool IsCategorical => Choices > 0;

    public int Choices { get; }

    /// <summary>The modelled range (log, widened).</summary>
    public double Low { get; }

    public double High { get; }

    /// <summary>The width a value's probability mass covers; zero for a density.</summary>
    public double Step { get; }

    public bool Log { get; }

    /// <summary>The only value of a parameter that has just one: nothing to model.</summary>
    public double? SingleValue { get; }

    /// <summary>False for a numeric range too wide to hold in a double: such a parameter is sampled at random.</summary>
    public bool CanModel => IsCategorical || double.IsFinite(High - Low);

    public static TpeAxis For(ParameterDistribution parameter) => new(parameter);

    /// <summary>From an internal value to the modelled space.</summary>
    public double Transform(double value) => Log ? Math.Log(value) : value;

    /// <summary>From the modelled space to an internal value on the distribution's grid.</summary>
    public double ToInternal(double sample)
    {
        if (Log)
        {
            sample = Math.Exp(sample);
        }

        return _float is not null ? _float.Snap(sample) : _int!.Snap(sample);
    }
}
