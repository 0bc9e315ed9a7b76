namespace Mlops.Domain.Training;

/// <summary>
/// A hyperparameter a trainer knows: its spec name, type and bounds. Integers must fit in an Int32 because ML.NET's
/// options are ints; numbers must be finite.
/// </summary>
public sealed record HyperparameterDefinition
{
    public required string Name { get; init; }

    public required HyperparameterType Type { get; init; }

    public double? Minimum { get; init; }

    /// <summary>True when the value must be strictly greater than <see cref="Minimum"/>.</summary>
    public bool MinimumExclusive { get; init; }

    public double? Maximum { get; init; }

    public static HyperparameterDefinition Integer(string name, int minimum) =>
        new() { Name = name, Type = HyperparameterType.Integer, Minimum = minimum };

    public static HyperparameterDefinition Positive(string name) =>
        new() { Name = name, Type = HyperparameterType.Number, Minimum = 0, MinimumExclusive = true };

    public static HyperparameterDefinition NonNegative(string name) =>
        new() { Name = name, Type = HyperparameterType.Number, Minimum = 0 };

    public bool Accepts(HyperparameterValue value)
    {
        switch (Type)
        {
            case HyperparameterType.Integer:
                return value.TryGetInt32(out var integer) && InRange(integer);
            case HyperparameterType.Number:
                return value.TryGetDouble(out var number) && InRange(number);
            case HyperparameterType.Boolean:
                return value.TryGetBoolean(out _);
            default:
                return value.TryGetText(out _);
        }
    }

    /// <summary>What the hyperparameter expects, worded to follow "expected": "an integer of at least 1".</summary>
    public string Describe()
    {
        var noun = Type switch
        {
            HyperparameterType.Integer => "an integer",
            HyperparameterType.Number => "a number",
            HyperparameterType.Boolean => "true or false",
            _ => "text",
        };

        var lower = Minimum is { } min ? (MinimumExclusive ? " greater than " : " of at least ") + SpecText.Number(min) : null;
        var upper = Maximum is { } max ? " at most " + SpecText.Number(max) : null;
        return (lower, upper) switch
        {
            (null, null) => noun,
            (_, null) => noun + lower,
            (null, _) => noun + " of" + upper,
            _ => noun + lower + " and" + upper,
        };
    }

    private bool InRange(double value) =>
        (Minimum is not { } min || (MinimumExclusive ? value > min : value >= min)) &&
        (Maximum is not { } max || value <= max);
}
