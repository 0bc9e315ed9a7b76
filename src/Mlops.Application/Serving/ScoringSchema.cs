using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>
/// A model's input columns, prepared once for <see cref="ScoringRequestParser"/>: each column's value kind, its
/// UTF-8 name (so request keys are matched without allocating strings) and a name index. Build it when the model
/// is loaded and reuse it for every request; it is immutable and thread-safe.
/// </summary>
public sealed class ScoringSchema
{
    private readonly Dictionary<string, int> _indexByName;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _indexByChars;

    private ScoringSchema(Column[] columns)
    {
        Columns = columns;
        _indexByName = new Dictionary<string, int>(columns.Length, StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            _indexByName.Add(columns[i].Name, i);
        }

        _indexByChars = _indexByName.GetAlternateLookup<ReadOnlySpan<char>>();
        BooleanColumns = [.. Enumerable.Range(0, columns.Length).Where(i => columns[i].Kind == ValueKind.Boolean)];
    }

    /// <summary>How a column's values are read and stored.</summary>
    internal enum ValueKind
    {
        /// <summary>MLflow double or float: any number.</summary>
        Real,

        /// <summary>MLflow long: a whole number.</summary>
        Long,

        /// <summary>MLflow integer: a whole number in the 32-bit range.</summary>
        Integer,

        Text,
        Boolean,
    }

    /// <summary>The input columns in signature order.</summary>
    internal Column[] Columns { get; }

    /// <summary>Indexes of the boolean columns, the only ones whose values cannot be missing.</summary>
    internal int[] BooleanColumns { get; }

    public int Count => Columns.Length;

    /// <summary>
    /// Prepares the signature's inputs. Only named scalar columns of the types double, float, long, integer, string and
    /// boolean can be served; anything else (tensors, binary, datetime, unnamed columns) is rejected here, when the
    /// model is loaded, rather than on the first request.
    /// </summary>
    public static ScoringSchema From(ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Inputs.Count == 0)
        {
            throw MlopsException.Invalid("The model signature has no input columns, so requests cannot be checked against it.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var columns = new Column[signature.Inputs.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            var spec = signature.Inputs[i];
            if (string.IsNullOrEmpty(spec.Name))
            {
                throw MlopsException.Invalid($"Input column {i} of the model signature has no name; only named columns can be served.");
            }

            if (!names.Add(spec.Name))
            {
                throw MlopsException.Invalid($"The model signature names the input column '{spec.Name}' twice.");
            }

            var kind = spec.Type switch
            {
                ColumnType.Double or ColumnType.Float => ValueKind.Real,
                ColumnType.Long => ValueKind.Long,
                ColumnType.Integer => ValueKind.Integer,
                ColumnType.String => ValueKind.Text,
                ColumnType.Boolean => ValueKind.Boolean,
                _ => throw MlopsException.Invalid(
                    $"The input column '{spec.Name}' has type '{spec.Type}'; serving supports double, float, long, integer, string and boolean columns."),
            };
            columns[i] = new Column(spec.Name, spec.Type, kind, spec.Required, Encoding.UTF8.GetBytes(spec.Name));
        }

        return new ScoringSchema(columns);
    }

    /// <summary>The index of the column with this name, or -1.</summary>
    internal int IndexOf(string name) => _indexByName.TryGetValue(name, out var index) ? index : -1;

    /// <summary>
    /// The index of the column named by the reader's current property name or string, or -1. Request keys usually
    /// come in signature order, so the <paramref name="expected"/> column is compared first, byte for byte; only a
    /// miss pays for unescaping the name and a hash lookup.
    /// </summary>
    internal int IndexOf(ref Utf8JsonReader reader, int expected)
    {
        var columns = Columns;
        if ((uint)expected < (uint)columns.Length && reader.ValueTextEquals(columns[expected].Utf8Name))
        {
            return expected;
        }

        // Escaped or not, a name never has more UTF-16 chars than its UTF-8 bytes.
        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        char[]? rented = null;
        Span<char> chars = length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            var written = reader.CopyString(chars);
            return _indexByChars.TryGetValue(chars[..written], out var index) ? index : -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Wraps parsed columns (one per schema column, in schema order) as the batch's name-to-column map.</summary>
    internal IReadOnlyDictionary<string, ScoringColumn> Wrap(ScoringColumn[] columns) => new ColumnMap(this, columns);

    /// <summary>One input column of the signature.</summary>
    internal sealed record Column(string Name, string Type, ValueKind Kind, bool Required, byte[] Utf8Name);

    /// <summary>
    /// The batch's columns by name, backed by the schema's index: building a dictionary per request would hash every
    /// column name on every request, which for a single-row request costs more than parsing it.
    /// </summary>
    private sealed class ColumnMap(ScoringSchema schema, ScoringColumn[] columns) : IReadOnlyDictionary<string, ScoringColumn>
    {
        public int Count => columns.Length;

        public IEnumerable<string> Keys => schema.Columns.Select(c => c.Name);

        public IEnumerable<ScoringColumn> Values => columns;

        public ScoringColumn this[string key] =>
            TryGetValue(key, out var column) ? column : throw new KeyNotFoundException($"The batch has no column '{key}'.");

        public bool ContainsKey(string key) => schema.IndexOf(key) >= 0;

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out ScoringColumn value)
        {
            var index = schema.IndexOf(key);
            value = index >= 0 ? columns[index] : null;
            return value is not null;
        }

        public IEnumerator<KeyValuePair<string, ScoringColumn>> GetEnumerator()
        {
            for (var i = 0; i < columns.Length; i++)
            {
                yield return new KeyValuePair<string, ScoringColumn>(columns[i].Name, columns[i]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
