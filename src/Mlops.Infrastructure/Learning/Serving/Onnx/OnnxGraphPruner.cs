namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// Drops the graph outputs serving does not read. ML.NET's converter makes every column of the pipeline a graph output
/// (each input passed through as "&lt;column&gt;.output", the features vector, the label...), through Identity nodes
/// that ONNX Runtime runs on every call whether or not the output is fetched: on the 30-input breast cancer model that
/// is 60-odd extra nodes, most of the cost of scoring one row. Without those outputs, ONNX Runtime's graph
/// optimizer removes the nodes that fed only them.
/// </summary>
internal static class OnnxGraphPruner
{
    // Field numbers of onnx.proto: ModelProto.graph, GraphProto.output, ValueInfoProto.name.
    public const int ModelGraph = 7;
    private const int GraphOutput = 12;
    private const int ValueInfoName = 1;

    public static IReadOnlyList<string> OutputNames(ReadOnlyMemory<byte> model) =>
        [.. OnnxProtobuf.Messages(model, ModelGraph).SelectMany(g => OnnxProtobuf.Messages(g, GraphOutput)).Select(NameOf)];

    /// <summary>The model with only the graph outputs in <paramref name="keep"/>; every other field is copied as it was.</summary>
    public static byte[] KeepOutputs(ReadOnlyMemory<byte> model, IReadOnlySet<string> keep)
    {
        using var pruned = new MemoryStream(model.Length);
        foreach (var field in OnnxProtobuf.Fields(model))
        {
            if (field.Number != ModelGraph || field.Wire != OnnxProtobuf.WireType.Length)
            {
                pruned.Write(field.Encoded.Span);
                continue;
            }

            using var graph = new MemoryStream(field.Payload.Length);
            foreach (var part in OnnxProtobuf.Fields(field.Payload))
            {
                if (part.Number != GraphOutput || part.Wire != OnnxProtobuf.WireType.Length || keep.Contains(NameOf(part.Payload)))
                {
                    graph.Write(part.Encoded.Span);
                }
            }

            OnnxProtobuf.WriteLengthDelimited(pruned, ModelGraph, graph.GetBuffer().AsSpan(0, (int)graph.Length));
        }

        return pruned.ToArray();
    }

    private static string NameOf(ReadOnlyMemory<byte> valueInfo) => OnnxProtobuf.Strings(valueInfo, ValueInfoName).FirstOrDefault() ?? "";
}
