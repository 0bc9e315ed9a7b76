namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// The slot names of vector columns, read from an ONNX model written by ML.NET's converter. ONNX has no slot names,
/// so the converter records them as a graph node: a LabelEncoder whose input is <c>mlnet.&lt;column&gt;.SlotNames</c>,
/// with the names as <c>keys_strings</c> and their positions as <c>values_int64s</c>. A multiclass Score's slot
/// names are its class names, which serving needs to name the "Score.&lt;class&gt;" columns as the ML.NET predictor does.
/// ONNX Runtime does not expose graph nodes, so this reads the model's protobuf encoding for those nodes only.
/// </summary>
internal static class OnnxSlotNames
{
    private const string Prefix = "mlnet.";
    private const string Suffix = ".SlotNames";

    // Field numbers of onnx.proto: ModelProto.graph, GraphProto.node, NodeProto.input and .attribute,
    // AttributeProto.name, .ints and .strings.
    private const int ModelGraph = OnnxGraphPruner.ModelGraph;
    private const int GraphNode = 1;
    private const int NodeInput = 1;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeInts = 8;
    private const int AttributeStrings = 9;

    /// <summary>Slot names by column name, for every column the converter recorded them for.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static IReadOnlyDictionary<string, string[]> Read(ReadOnlyMemory<byte> model)
    {
        var names = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var graph in OnnxProtobuf.Messages(model, ModelGraph))
        {
            foreach (var node in OnnxProtobuf.Messages(graph, GraphNode))
            {
                var column = OnnxProtobuf.Strings(node, NodeInput).Select(ColumnOf).FirstOrDefault(c => c is not null);
                if (column is not null && SlotsOf(node) is { } slots)
                {
                    names[column] = slots;
                }
            }
        }

        return names;
    }

    private static string? ColumnOf(string input) =>
        input.Length > Prefix.Length + Suffix.Length && input.StartsWith(Prefix, StringComparison.Ordinal) && input.EndsWith(Suffix, StringComparison.Ordinal)
            ? input[Prefix.Length..^Suffix.Length]
            : null;

    private static string[]? SlotsOf(ReadOnlyMemory<byte> node)
    {
        string[]? keys = null;
        long[]? positions = null;
        foreach (var attribute in OnnxProtobuf.Messages(node, NodeAttribute))
        {
            switch (OnnxProtobuf.Strings(attribute, AttributeName).FirstOrDefault())
            {
                case "keys_strings":
                    keys = [.. OnnxProtobuf.Strings(attribute, AttributeStrings)];
                    break;
                case "values_int64s":
                    positions = OnnxProtobuf.Integers(attribute, AttributeInts);
                    break;
            }
        }

        if (keys is null)
        {
            return null;
        }

        // Place each name at its recorded position; positions that are not exactly 0..n-1 leave the keys in order.
        if (positions is null || positions.Length != keys.Length || positions.Order().Select((p, i) => p == i).Any(ok => !ok))
        {
            return keys;
        }

        var placed = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            placed[positions[i]] = keys[i];
        }

        return placed;
    }
}
