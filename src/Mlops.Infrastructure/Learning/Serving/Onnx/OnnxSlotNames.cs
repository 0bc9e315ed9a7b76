using System.Text;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// The slot names of vector columns, read from an ONNX model written by ML.NET's converter. ONNX has no slot names,
/// so the converter records them as a graph node: a LabelEncoder whose input is <c>mlnet.&lt;column&gt;.SlotNames</c>,
/// with the names as <c>keys_strings</c> and their positions as <c>values_int64s</c>. A multiclass Score's slot
/// names are its class names, which serving needs to name the "Score.&lt;class&gt;" columns as the ML.NET predictor does.
/// ONNX Runtime does not expose graph nodes, so this walks the model's protobuf encoding for those nodes only.
/// </summary>
internal static class OnnxSlotNames
{
    private const string Prefix = "mlnet.";
    private const string Suffix = ".SlotNames";

    // Field numbers of onnx.proto: ModelProto.graph, GraphProto.node, NodeProto.input and .attribute,
    // AttributeProto.name, .ints and .strings.
    private const int ModelGraph = 7;
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
        foreach (var graph in Protobuf.Messages(model, ModelGraph))
        {
            foreach (var node in Protobuf.Messages(graph, GraphNode))
            {
                var column = Protobuf.Strings(node, NodeInput).Select(ColumnOf).FirstOrDefault(c => c is not null);
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
        foreach (var attribute in Protobuf.Messages(node, NodeAttribute))
        {
            switch (Protobuf.Strings(attribute, AttributeName).FirstOrDefault())
            {
                case "keys_strings":
                    keys = [.. Protobuf.Strings(attribute, AttributeStrings)];
                    break;
                case "values_int64s":
                    positions = Protobuf.Integers(attribute, AttributeInts);
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

    /// <summary>Just enough of the protobuf wire format to find length-delimited and integer fields; everything else is skipped.</summary>
    private static class Protobuf
    {
        public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Number == field && f.Wire == WireType.Length).Select(f => f.Bytes);

        public static IEnumerable<string> Strings(ReadOnlyMemory<byte> message, int field) =>
            Messages(message, field).Select(bytes => Encoding.UTF8.GetString(bytes.Span));

        /// <summary>A repeated int64 field, packed or not.</summary>
        public static long[] Integers(ReadOnlyMemory<byte> message, int field)
        {
            var values = new List<long>();
            foreach (var (number, wire, value, bytes) in Fields(message))
            {
                if (number != field)
                {
                    continue;
                }

                if (wire == WireType.Varint)
                {
                    values.Add((long)value);
                }
                else if (wire == WireType.Length)
                {
                    for (var position = 0; position < bytes.Length;)
                    {
                        values.Add((long)Varint(bytes.Span, ref position));
                    }
                }
            }

            return [.. values];
        }

        private static IEnumerable<(int Number, WireType Wire, ulong Value, ReadOnlyMemory<byte> Bytes)> Fields(ReadOnlyMemory<byte> message)
        {
            var position = 0;
            while (position < message.Length)
            {
                var key = Varint(message.Span, ref position);
                var number = (int)(key >> 3);
                var wire = (WireType)(key & 7);
                switch (wire)
                {
                    case WireType.Varint:
                        yield return (number, wire, Varint(message.Span, ref position), default);
                        break;
                    case WireType.Fixed64:
                        position = Skip(message.Length, position, 8);
                        break;
                    case WireType.Fixed32:
                        position = Skip(message.Length, position, 4);
                        break;
                    case WireType.Length:
                        var length = Varint(message.Span, ref position);
                        var start = position;
                        position = Skip(message.Length, position, length);
                        yield return (number, wire, 0, message[start..position]);
                        break;
                    default:
                        throw new InvalidDataException($"Unsupported protobuf wire type {(int)wire}.");
                }
            }
        }

        private static int Skip(int length, int position, ulong count) =>
            count <= (ulong)(length - position) ? position + (int)count : throw new InvalidDataException("A protobuf field runs past the end of its message.");

        private static ulong Varint(ReadOnlySpan<byte> bytes, ref int position)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (position >= bytes.Length)
                {
                    throw new InvalidDataException("A protobuf varint runs past the end of its message.");
                }

                var next = bytes[position++];
                value |= (ulong)(next & 0x7F) << shift;
                if (next < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("A protobuf varint is longer than 10 bytes.");
        }

        private enum WireType
        {
            Varint = 0,
            Fixed64 = 1,
            Length = 2,
            Fixed32 = 5,
        }
    }
}
