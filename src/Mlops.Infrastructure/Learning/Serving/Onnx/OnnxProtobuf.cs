using System.Text;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// Just enough of the protobuf wire format to read and rewrite an ONNX model's graph: fields are listed with their
/// byte ranges, so a message can be copied with some fields left out. ONNX Runtime exposes no graph API, and a full
/// ONNX library would be a large dependency for the two things serving needs (see <see cref="OnnxSlotNames"/> and
/// <see cref="OnnxGraphPruner"/>).
/// </summary>
internal static class OnnxProtobuf
{
    public enum WireType
    {
        Varint = 0,
        Fixed64 = 1,
        Length = 2,
        Fixed32 = 5,
    }

    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var start = position;
            var key = Varint(message.Span, ref position);
            var number = (int)(key >> 3);
            var wire = (WireType)(key & 7);
            ulong value = 0;
            var payload = position;
            switch (wire)
            {
                case WireType.Varint:
                    value = Varint(message.Span, ref position);
                    break;
                case WireType.Fixed64:
                    position = Skip(message.Length, position, 8);
                    break;
                case WireType.Fixed32:
                    position = Skip(message.Length, position, 4);
                    break;
                case WireType.Length:
                    var length = Varint(message.Span, ref position);
                    payload = position;
                    position = Skip(message.Length, position, length);
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {(int)wire}.");
            }

            yield return new Field(number, wire, value, message[start..position], message[payload..position]);
        }
    }

    public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Wire == WireType.Length).Select(f => f.Payload);

    public static IEnumerable<string> Strings(ReadOnlyMemory<byte> message, int field) =>
        Messages(message, field).Select(bytes => Encoding.UTF8.GetString(bytes.Span));

    /// <summary>A repeated int64 field, packed or not.</summary>
    public static long[] Integers(ReadOnlyMemory<byte> message, int field)
    {
        var values = new List<long>();
        foreach (var f in Fields(message).Where(f => f.Number == field))
        {
            if (f.Wire == WireType.Varint)
            {
                values.Add((long)f.Value);
            }
            else if (f.Wire == WireType.Length)
            {
                for (var position = 0; position < f.Payload.Length;)
                {
                    values.Add((long)Varint(f.Payload.Span, ref position));
                }
            }
        }

        return [.. values];
    }

    /// <summary>Writes a length-delimited field: its key, the payload's length, the payload.</summary>
    public static void WriteLengthDelimited(Stream target, int field, ReadOnlySpan<byte> payload)
    {
        WriteVarint(target, ((ulong)field << 3) | (ulong)WireType.Length);
        WriteVarint(target, (ulong)payload.Length);
        target.Write(payload);
    }

    private static void WriteVarint(Stream target, ulong value)
    {
        while (value >= 0x80)
        {
            target.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        target.WriteByte((byte)value);
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

    /// <param name="Encoded">The whole field, key included, as it appears in the message.</param>
    /// <param name="Payload">A length-delimited field's content; empty for other wire types.</param>
    public readonly record struct Field(int Number, WireType Wire, ulong Value, ReadOnlyMemory<byte> Encoded, ReadOnlyMemory<byte> Payload);
}
