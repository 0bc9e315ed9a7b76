using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// How one input of the ONNX graph is fed. ML.NET's converter makes one graph input per input column, named after it
/// and shaped [rows, width] (width 1 for a scalar column, N for a "vector of N" one). A graph input the signature
/// does not list is a column the pipeline declared but scoring never reads, in practice the label: it is fed
/// default values (0, false or empty text), since ONNX Runtime requires every graph input.
/// </summary>
internal sealed class OnnxInput
{
    private OnnxInput(string name, TensorElementType type, int width, bool fromBatch)
    {
        Name = name;
        Type = type;
        Width = width;
        FromBatch = fromBatch;
    }

    public string Name { get; }

    public TensorElementType Type { get; }

    public int Width { get; }

    /// <summary>False for a graph input the signature does not list, which is fed defaults.</summary>
    public bool FromBatch { get; }

    /// <summary>One input per graph input, in the graph's order; fails naming a signature input the graph lacks or cannot take.</summary>
    public static OnnxInput[] For(IReadOnlyDictionary<string, NodeMetadata> graphInputs, ModelSignature signature)
    {
        var listed = signature.Inputs.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var missing = listed.Keys.FirstOrDefault(name => !graphInputs.ContainsKey(name));
        if (missing is not null)
        {
            throw MlopsException.Invalid($"The model's signature lists the input '{missing}', which the ONNX graph does not have.");
        }

        return [.. graphInputs.Select(input => Create(input.Key, input.Value, listed.GetValueOrDefault(input.Key)))];
    }

    /// <summary>The batch's values for this input, checked: the right kind of column with rows × width values.</summary>
    public Array ValuesFrom(ScoringBatch batch)
    {
        if (!batch.Columns.TryGetValue(Name, out var column))
        {
            throw MlopsException.Invalid($"The batch has no column '{Name}', which the model needs.");
        }

        Array values = (Type, column) switch
        {
            (TensorElementType.Float or TensorElementType.Double, NumberColumn numbers) => numbers.Values,
            (TensorElementType.String, TextColumn texts) => texts.Values,
            (TensorElementType.Bool, BooleanColumn booleans) => booleans.Values,
            _ => throw MlopsException.Invalid($"The column '{Name}' must hold {Describe(Type)} for this model."),
        };
        var expected = (long)batch.RowCount * Width;
        if (values.LongLength != expected)
        {
            throw MlopsException.Invalid($"The column '{Name}' has {values.LongLength} values; the batch of {batch.RowCount} rows needs {expected}.");
        }

        return values;
    }

    /// <summary>
    /// A tensor of <paramref name="rowCount"/> rows over <paramref name="values"/> (from <see cref="ValuesFrom"/>, or null for
    /// defaults). Float and boolean arrays are pinned and read in place rather than copied; dispose the value after the run.
    /// </summary>
    public OrtValue Tensor(Array? values, int rowCount)
    {
        long[] shape = [rowCount, Width];
        var length = rowCount * Width;
        switch (Type)
        {
            case TensorElementType.Float:
                return OrtValue.CreateTensorValueFromMemory((float[]?)values ?? new float[length], shape);
            case TensorElementType.Double:
                var doubles = new double[length];
                if (values is float[] singles)
                {
                    for (var i = 0; i < length; i++)
                    {
                        doubles[i] = singles[i];
                    }
                }

                return OrtValue.CreateTensorValueFromMemory(doubles, shape);
            case TensorElementType.Bool:
                return OrtValue.CreateTensorValueFromMemory((bool[]?)values ?? new bool[length], shape);
            case TensorElementType.Int64:
                return OrtValue.CreateTensorValueFromMemory(new long[length], shape);
            case TensorElementType.Int32:
                return OrtValue.CreateTensorValueFromMemory(new int[length], shape);
            case TensorElementType.UInt32:
                return OrtValue.CreateTensorValueFromMemory(new uint[length], shape);
            case TensorElementType.String:
                var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                if (values is string?[] texts)
                {
                    try
                    {
                        for (var i = 0; i < length; i++)
                        {
                            // A missing text is empty text, as ML.NET reads it.
                            tensor.StringTensorSetElementAt((texts[i] ?? "").AsSpan(), i);
                        }
                    }
                    catch
                    {
                        tensor.Dispose();
                        throw;
                    }
                }

                return tensor;
            default:
                throw new InvalidOperationException($"The input '{Name}' has the unsupported type {Type}.");
        }
    }

    private static OnnxInput Create(string name, NodeMetadata metadata, ColumnSpec? column)
    {
        if (!metadata.IsTensor)
        {
            throw MlopsException.Invalid($"The ONNX graph's input '{name}' is a {metadata.OnnxValueType}, not a tensor; serving feeds tensors only.");
        }

        var type = metadata.ElementDataType;
        var supported = column is null
            ? type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Bool or TensorElementType.String
                or TensorElementType.Int64 or TensorElementType.Int32 or TensorElementType.UInt32
            : type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Bool or TensorElementType.String;
        if (!supported)
        {
            throw MlopsException.Invalid($"The ONNX graph's input '{name}' holds {type}, which serving cannot feed.");
        }

        // ML.NET's converter shapes inputs [rows, width]: the first dimension free, the second fixed.
        var dimensions = metadata.Dimensions;
        if (dimensions.Length != 2 || dimensions[0] > 0 || dimensions[1] < 1)
        {
            throw MlopsException.Invalid($"The ONNX graph's input '{name}' has the shape [{string.Join(", ", dimensions)}]; serving feeds [rows, width] with a free row count.");
        }

        return new OnnxInput(name, type, dimensions[1], column is not null);
    }

    private static string Describe(TensorElementType type) => type switch
    {
        TensorElementType.String => "text",
        TensorElementType.Bool => "booleans",
        _ => "numbers",
    };
}
