using System.Globalization;

namespace Mlops.Domain.Training;

/// <summary>
/// One hyperparameter value as written in a spec. The spec's syntax decides the type (200 is an integer, 0.05 a number,
/// true a boolean, "fast" text); <see cref="TrainerCatalog"/> decides which types each hyperparameter accepts.
/// </summary>
public sealed record HyperparameterValue
{
    private readonly long _integer;
    private readonly double _number;
    private readonly bool _boolean;
    private readonly string? _text;

    private HyperparameterValue(HyperparameterType type, long integer = 0, double number = 0, bool boolean = false, string? text = null)
    {
        Type = type;
        _integer = integer;
        _number = number;
        _boolean = boolean;
        _text = text;
    }

    public HyperparameterType Type { get; }

    /// <summary>The value boxed as long, double, bool or string, for code that sets options by name.</summary>
    public object Value => Type switch
    {
        HyperparameterType.Integer => _integer,
        HyperparameterType.Number => _number,
        HyperparameterType.Boolean => _boolean,
        _ => _text!,
    };

    public static HyperparameterValue FromInteger(long value) => new(HyperparameterType.Integer, integer: value);

    public static HyperparameterValue FromNumber(double value) => new(HyperparameterType.Number, number: value);

    public static HyperparameterValue FromBoolean(bool value) => new(HyperparameterType.Boolean, boolean: value);

    public static HyperparameterValue FromText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(HyperparameterType.Text, text: value);
    }

    /// <summary>An integer in range, or a whole number (JSON writers may print 200 as 200.0).</summary>
    public bool TryGetInt32(out int value)
    {
        if (Type == HyperparameterType.Integer && _integer is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)_integer;
            return true;
        }

        if (Type == HyperparameterType.Number && double.IsFinite(_number) && Math.Floor(_number) == _number && _number is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)_number;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>A finite integer or number.</summary>
    public bool TryGetDouble(out double value)
    {
        value = Type switch
        {
            HyperparameterType.Integer => _integer,
            HyperparameterType.Number => _number,
            _ => double.NaN,
        };
        return double.IsFinite(value);
    }

    public bool TryGetBoolean(out bool value)
    {
        value = _boolean;
        return Type == HyperparameterType.Boolean;
    }

    public bool TryGetText(out string value)
    {
        value = _text ?? "";
        return Type == HyperparameterType.Text;
    }

    /// <summary>The value as it is logged as a run parameter: 200, 0.05, true, fast.</summary>
    public override string ToString() => Type switch
    {
        HyperparameterType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        HyperparameterType.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        HyperparameterType.Boolean => _boolean ? "true" : "false",
        _ => _text!,
    };
}
