using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// One of the signature's outputs, read from the ONNX graph output ML.NET's converter made for it
/// (<c>&lt;column&gt;.output</c>, shaped [rows, width]), and returned as the ML.NET predictor returns it: a boolean
/// becomes a boolean column, text a text column, a number a number column, and a vector of width N one number column
/// per slot, named "Score.&lt;slot name&gt;" (for a multiclass Score, the class names) or "Score.0" when the graph
/// records no usable slot names.
/// </summary>
internal sealed class OnnxOutput
{
    private const string ConverterSuffix = ".output";

    private OnnxOutput(string graphName, TensorElementType type, string[] columnNames)
    {
        GraphName = graphName;
        Type = type;
        ColumnNames = columnNames;
    }

    /// <summary>The graph output to fetch.</summary>
    public string GraphName { get; }

    public TensorElementType Type { get; }

    /// <summary>The result columns this output becomes: one, or one per slot of a vector.</summary>
    public string[] ColumnNames { get; }

    public static OnnxOutput For(ColumnSpec column, IReadOnlyDictionary<string, NodeMetadata> graphOutputs, IReadOnlyDictionary<string, string[]> slotNames)
    {
        var name = column.Name;
        var graphName = GraphNameOf(name, graphOutputs.ContainsKey)
            ?? throw MlopsException.Invalid($"The model's signature lists the output '{name}', which the ONNX graph does not produce (as '{name}{ConverterSuffix}' or '{name}').");
        var metadata = graphOutputs[graphName];
        var type = metadata.IsTensor ? metadata.ElementDataType : TensorElementType.DataTypeMax;
        var expected = column.Type switch
        {
            ColumnType.Boolean => type == TensorElementType.Bool,
            ColumnType.String => type == TensorElementType.String,
            ColumnType.Float or ColumnType.Double => type is TensorElementType.Float or TensorElementType.Double,
            _ => false,
        };
        if (!expected)
        {
            throw MlopsException.Invalid($"The model's output '{name}' is {column.Type} in the signature but {(metadata.IsTensor ? type : metadata.OnnxValueType)} in the ONNX graph ('{graphName}').");
        }

        var dimensions = metadata.Dimensions;
        if (dimensions.Length != 2 || dimensions[1] < 1 || (dimensions[1] > 1 && column.Type is not (ColumnType.Float or ColumnType.Double)))
        {
            throw MlopsException.Invalid($"The ONNX graph's output '{graphName}' has the shape [{string.Join(", ", dimensions)}]; serving reads [rows, width], with width 1 unless it holds numbers.");
        }

        var width = dimensions[1];
        string[] columnNames = width == 1 ? [name] : SlotColumnNames(name, width, slotNames.GetValueOrDefault(name));
        return new OnnxOutput(graphName, type, columnNames);
    }

    /// <summary>The graph output that holds the signature output <paramref name="name"/>: the converter's "name.output", else "name".</summary>
    public static string? GraphNameOf(string name, Func<string, bool> isGraphOutput) =>
        isGraphOutput(name + ConverterSuffix) ? name + ConverterSuffix : isGraphOutput(name) ? name : null;

    /// <summary>Adds this output's result columns, read from <paramref name="value"/>, to <paramref name="columns"/>.</summary>
    public void AddTo(OrtValue value, int rowCount, List<ScoringColumn> columns)
    {
        switch (Type)
        {
            case TensorElementType.Bool:
                columns.Add(new BooleanColumn(ColumnNames[0], value.GetTensorDataAsSpan<bool>()[..rowCount].ToArray()));
                break;
            case TensorElementType.String:
                columns.Add(new TextColumn(ColumnNames[0], ReadTexts(value, rowCount)));
                break;
            case TensorElementType.Float:
                AddNumbers(value.GetTensorDataAsSpan<float>(), rowCount, columns);
                break;
            default:
                var doubles = value.GetTensorDataAsSpan<double>();
                var singles = new float[doubles.Length];
                for (var i = 0; i < singles.Length; i++)
                {
                    singles[i] = (float)doubles[i];
                }

                AddNumbers(singles, rowCount, columns);
                break;
        }
    }

    /// <summary>Empty result columns, for an empty batch.</summary>
    public void AddEmptyTo(List<ScoringColumn> columns)
    {
        foreach (var name in ColumnNames)
        {
            columns.Add(Type switch
            {
                TensorElementType.Bool => new BooleanColumn(name, []),
                TensorElementType.String => new TextColumn(name, []),
                _ => new NumberColumn(name, []),
            });
        }
    }

    private void AddNumbers(ReadOnlySpan<float> values, int rowCount, List<ScoringColumn> columns)
    {
        if (ColumnNames.Length == 1)
        {
            columns.Add(new NumberColumn(ColumnNames[0], values[..rowCount].ToArray()));
            return;
        }

        // The tensor is row-major [rows, width]; the result holds one column per slot.
        var width = ColumnNames.Length;
        for (var slot = 0; slot < width; slot++)
        {
            var column = new float[rowCount];
            for (var row = 0; row < rowCount; row++)
            {
                column[row] = values[row * width + slot];
            }

            columns.Add(new NumberColumn(ColumnNames[slot], column));
        }
    }

    private static string?[] ReadTexts(OrtValue value, int rowCount)
    {
        // Text outputs are nearly always class names, a handful of distinct values, so each distinct string is decoded
        // once per batch and handed out again, compared as the UTF-8 bytes ONNX Runtime holds.
        const int MaxRemembered = 64;
        var seen = new List<(byte[] Utf8, string Text)>();
        var texts = new string?[rowCount];
        for (var row = 0; row < rowCount; row++)
        {
            var utf8 = value.GetStringElementAsSpan(row);
            string? known = null;
            foreach (var (bytes, text) in seen)
            {
                if (utf8.SequenceEqual(bytes))
                {
                    known = text;
                    break;
                }
            }

            if (known is null)
            {
                known = Encoding.UTF8.GetString(utf8);
                if (seen.Count < MaxRemembered)
                {
                    seen.Add((utf8.ToArray(), known));
                }
            }

            texts[row] = known;
        }

        return texts;
    }

    /// <summary>The same naming rule as the ML.NET predictor's, so both runtimes answer with the same columns.</summary>
    private static string[] SlotColumnNames(string name, int width, string[]? slots)
    {
        // Missing, blank or repeated slot names would make ambiguous columns, so positions name them instead.
        if (slots is null || slots.Length != width || slots.Any(string.IsNullOrWhiteSpace) || slots.Distinct(StringComparer.Ordinal).Count() != slots.Length)
        {
            slots = [.. Enumerable.Range(0, width).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }

        return [.. slots.Select(slot => name + "." + slot)];
    }
}
