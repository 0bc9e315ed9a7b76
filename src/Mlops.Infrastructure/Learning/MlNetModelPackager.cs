using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Learning;

/// <summary>
/// Saves a trained ML.NET model as a sealed model package: <c>model.zip</c>, an optional <c>input_example.json</c>
/// and an MLmodel with the mlnet flavor, the signature and the hash of every file.
/// </summary>
public sealed class MlNetModelPackager(TimeProvider timeProvider)
{
    public const string InputExampleFile = "input_example.json";

    // The names ML.NET's standard trainers give their outputs; other columns of the output schema are inputs passed through.
    private static readonly string[] s_outputColumns = ["PredictedLabel", "Score", "Probability"];

    private static readonly JsonSerializerOptions s_exampleJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static readonly string s_mlnetVersion = ReadMlNetVersion();

    /// <summary>
    /// Writes the package into <paramref name="folder"/>, which must be absent or empty so that no stray file is sealed into it.
    /// <paramref name="inputSchema"/> is what callers supply at prediction time: leave the label out, since it becomes the
    /// signature's inputs. <paramref name="artifactPath"/> defaults to the folder's name. <paramref name="onnxFile"/>, when
    /// given, is an ONNX export of the same model, copied in as model.onnx with the onnx flavor.
    /// </summary>
    public ModelDescriptor Save(
        MLContext ml,
        ITransformer model,
        DataViewSchema inputSchema,
        string folder,
        string? runId,
        IReadOnlyDictionary<string, object?>? inputExample = null,
        string? artifactPath = null,
        string? onnxFile = null)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw MlopsException.Invalid($"Cannot save a model package into '{folder}': the folder is not empty.");
        }

        Directory.CreateDirectory(folder);
        var outputSchema = model.GetOutputSchema(inputSchema);
        var signature = new ModelSignature(
            [.. inputSchema.Where(c => !c.IsHidden).Select(ToColumnSpec)],
            [.. s_outputColumns.Select(name => outputSchema.GetColumnOrNull(name)).OfType<DataViewSchema.Column>().Select(ToColumnSpec)]);

        ml.Model.Save(model, inputSchema, Path.Combine(folder, ModelFlavor.MlNetModelFile));
        if (inputExample is not null)
        {
            WriteInputExample(Path.Combine(folder, InputExampleFile), inputExample);
        }

        var flavors = new List<ModelFlavor> { ModelFlavor.ForMlNet(s_mlnetVersion) };
        if (onnxFile is not null)
        {
            File.Copy(onnxFile, Path.Combine(folder, ModelFlavor.OnnxModelFile));
            flavors.Add(ModelFlavor.ForOnnx());
        }

        var draft = new ModelDescriptor
        {
            ArtifactPath = artifactPath ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))),
            RunId = runId,
            ModelUuid = Guid.NewGuid().ToString("N"),
            UtcTimeCreated = timeProvider.GetUtcNow(),
            Flavors = ModelDescriptor.FlavorMap(flavors),
            Signature = signature,
            InputExampleFile = inputExample is null ? null : InputExampleFile,
        };
        return ModelPackage.Seal(folder, draft);
    }

    private static ColumnSpec ToColumnSpec(DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType vector)
        {
            var size = vector.IsKnownSize ? $"vector of {vector.Size.ToString(CultureInfo.InvariantCulture)}" : "vector of variable length";
            return new ColumnSpec(column.Name, ScalarType(column.Name, vector.ItemType), Note: $"{size} {ItemNote(vector.ItemType)}".TrimEnd());
        }

        return new ColumnSpec(column.Name, ScalarType(column.Name, column.Type), Note: column.Type is KeyDataViewType ? ItemNote(column.Type) : null);
    }

    private static string ScalarType(string column, DataViewType type) => type switch
    {
        KeyDataViewType => ColumnType.Long,
        TextDataViewType => ColumnType.String,
        BooleanDataViewType => ColumnType.Boolean,
        DateTimeDataViewType or DateTimeOffsetDataViewType => ColumnType.DateTime,
        _ when type.RawType == typeof(float) => ColumnType.Float,
        _ when type.RawType == typeof(double) => ColumnType.Double,
        _ when type.RawType == typeof(int) || type.RawType == typeof(short) || type.RawType == typeof(ushort)
            || type.RawType == typeof(sbyte) || type.RawType == typeof(byte) => ColumnType.Integer,
        _ when type.RawType == typeof(long) || type.RawType == typeof(uint) || type.RawType == typeof(ulong) => ColumnType.Long,
        _ => throw MlopsException.Invalid($"Column '{column}' has the ML.NET type {type}, which has no MLflow column type."),
    };

    private static string ItemNote(DataViewType itemType) =>
        itemType is KeyDataViewType key ? $"(key of {key.Count.ToString(CultureInfo.InvariantCulture)} values)" : "";

    private static void WriteInputExample(string path, IReadOnlyDictionary<string, object?> row)
    {
        // MLflow's pandas "split" orientation, so MLflow tools can read the example too.
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartArray("columns");
        foreach (var name in row.Keys)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartArray("data");
        json.WriteStartArray();
        foreach (var value in row.Values)
        {
            JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object), s_exampleJson);
        }

        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string ReadMlNetVersion()
    {
        var assembly = typeof(MLContext).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
