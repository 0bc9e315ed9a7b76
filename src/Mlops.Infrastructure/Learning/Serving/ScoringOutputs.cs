using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>
/// One of the model's signature outputs and how it becomes result columns: a Single or Double becomes a number
/// column, a Boolean a boolean column, text a text column, a key its class name (or its zero-based index when the key
/// has no names), and a fixed-size Single vector one number column per slot, named "Score.setosa" after the slot
/// names (for a multiclass Score these are the class names) or "Score.0" when there are none.
/// </summary>
internal abstract class ScoringOutput(string name)
{
    public string Name { get; } = name;

    public static ScoringOutput For(DataViewSchema outputSchema, string name)
    {
        var column = outputSchema.GetColumnOrNull(name)
            ?? throw MlopsException.Invalid($"The model's signature lists the output '{name}', which the model does not produce.");
        return column.Type switch
        {
            BooleanDataViewType => new BooleanOutput(name),
            TextDataViewType => new TextOutput(name),
            KeyDataViewType key when key.RawType == typeof(uint) => new KeyOutput(name, KeyNames(column)),
            NumberDataViewType when column.Type.RawType == typeof(float) => new SingleOutput(name),
            NumberDataViewType when column.Type.RawType == typeof(double) => new DoubleOutput(name),
            VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item } vector when item.RawType == typeof(float) =>
                new VectorOutput(name, SlotColumnNames(column, vector.Size)),
            _ => throw MlopsException.Invalid($"The model's output '{name}' has the ML.NET type {column.Type}, which serving cannot return."),
        };
    }

    /// <summary>A reader bound to <paramref name="row"/>, which must have this output active; made once per cursor or pooled pipeline.</summary>
    public abstract OutputReader Bind(DataViewRow row);

    protected DataViewSchema.Column ColumnOf(DataViewRow row) => row.Schema.GetColumnOrNull(Name)
        ?? throw new InvalidOperationException($"The scored row has no column '{Name}'.");

    private static string[]? KeyNames(DataViewSchema.Column column)
    {
        if (!column.HasKeyValues(TextDataViewType.Instance))
        {
            return null;
        }

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private static string[] SlotColumnNames(DataViewSchema.Column column, int size)
    {
        string[]? slots = null;
        if (column.HasSlotNames())
        {
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            column.GetSlotNames(ref names);
            slots = [.. names.DenseValues().Select(n => n.ToString())];
        }

        // Missing, blank or repeated slot names would make ambiguous columns, so positions name them instead.
        if (slots is null || slots.Length != size || slots.Any(string.IsNullOrWhiteSpace) || slots.Distinct(StringComparer.Ordinal).Count() != slots.Length)
        {
            slots = [.. Enumerable.Range(0, size).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        }

        return [.. slots.Select(slot => column.Name + "." + slot)];
    }

    private sealed class SingleOutput(string name) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row) => new Reader(Name, row.GetGetter<float>(ColumnOf(row)));

        private sealed class Reader(string name, ValueGetter<float> getter) : OutputReader
        {
            private float[] _values = [];

            public override void Start(int rowCount) => _values = new float[rowCount];

            public override void Read(int row) => getter(ref _values[row]);

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new NumberColumn(name, Hand(ref _values)));
        }
    }

    private sealed class DoubleOutput(string name) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row) => new Reader(Name, row.GetGetter<double>(ColumnOf(row)));

        private sealed class Reader(string name, ValueGetter<double> getter) : OutputReader
        {
            private float[] _values = [];
            private double _value;

            public override void Start(int rowCount) => _values = new float[rowCount];

            public override void Read(int row)
            {
                getter(ref _value);
                _values[row] = (float)_value;
            }

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new NumberColumn(name, Hand(ref _values)));
        }
    }

    private sealed class BooleanOutput(string name) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row) => new Reader(Name, row.GetGetter<bool>(ColumnOf(row)));

        private sealed class Reader(string name, ValueGetter<bool> getter) : OutputReader
        {
            private bool[] _values = [];

            public override void Start(int rowCount) => _values = new bool[rowCount];

            public override void Read(int row) => getter(ref _values[row]);

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new BooleanColumn(name, Hand(ref _values)));
        }
    }

    private sealed class TextOutput(string name) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row) => new Reader(Name, row.GetGetter<ReadOnlyMemory<char>>(ColumnOf(row)));

        private sealed class Reader(string name, ValueGetter<ReadOnlyMemory<char>> getter) : OutputReader
        {
            // Text outputs are nearly always class names, a handful of distinct values, so the strings made for
            // them are kept and handed out again rather than allocated per row.
            private const int MaxRemembered = 64;
            private readonly List<string> _seen = [];
            private string?[] _values = [];
            private ReadOnlyMemory<char> _value;

            public override void Start(int rowCount) => _values = new string?[rowCount];

            public override void Read(int row)
            {
                getter(ref _value);
                _values[row] = Intern(_value.Span);
            }

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new TextColumn(name, Hand(ref _values)));

            private string Intern(ReadOnlySpan<char> text)
            {
                foreach (var seen in _seen)
                {
                    if (text.SequenceEqual(seen))
                    {
                        return seen;
                    }
                }

                var made = text.ToString();
                if (_seen.Count < MaxRemembered)
                {
                    _seen.Add(made);
                }

                return made;
            }
        }
    }

    private sealed class KeyOutput(string name, string[]? keyNames) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row)
        {
            var getter = row.GetGetter<uint>(ColumnOf(row));
            return keyNames is null ? new IndexReader(Name, getter) : new NameReader(Name, getter, keyNames);
        }

        // Key 0 is ML.NET's missing key; key k is the k-th value, so index k - 1.
        private sealed class NameReader(string name, ValueGetter<uint> getter, string[] names) : OutputReader
        {
            private string?[] _values = [];
            private uint _key;

            public override void Start(int rowCount) => _values = new string?[rowCount];

            public override void Read(int row)
            {
                getter(ref _key);
                _values[row] = _key == 0 || _key > names.Length ? null : names[_key - 1];
            }

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new TextColumn(name, Hand(ref _values)));
        }

        private sealed class IndexReader(string name, ValueGetter<uint> getter) : OutputReader
        {
            private float[] _values = [];
            private uint _key;

            public override void Start(int rowCount) => _values = new float[rowCount];

            public override void Read(int row)
            {
                getter(ref _key);
                _values[row] = _key == 0 ? float.NaN : _key - 1;
            }

            public override void AddTo(List<ScoringColumn> columns) => columns.Add(new NumberColumn(name, Hand(ref _values)));
        }
    }

    private sealed class VectorOutput(string name, string[] columnNames) : ScoringOutput(name)
    {
        public override OutputReader Bind(DataViewRow row) => new Reader(columnNames, row.GetGetter<VBuffer<float>>(ColumnOf(row)));

        private sealed class Reader(string[] names, ValueGetter<VBuffer<float>> getter) : OutputReader
        {
            private readonly float[] _slots = new float[names.Length];
            private float[][] _values = [];
            private VBuffer<float> _buffer;

            public override void Start(int rowCount) => _values = [.. names.Select(_ => new float[rowCount])];

            public override void Read(int row)
            {
                getter(ref _buffer);
                _buffer.CopyTo(_slots);
                for (var slot = 0; slot < _slots.Length; slot++)
                {
                    _values[slot][row] = _slots[slot];
                }
            }

            public override void AddTo(List<ScoringColumn> columns)
            {
                for (var slot = 0; slot < names.Length; slot++)
                {
                    columns.Add(new NumberColumn(names[slot], _values[slot]));
                }

                _values = [];
            }
        }
    }
}

/// <summary>Reads one output of the current row into result arrays; bound to one row, so used by one thread at a time.</summary>
internal abstract class OutputReader
{
    /// <summary>Starts a batch of <paramref name="rowCount"/> rows with fresh arrays: the previous batch's result keeps its own.</summary>
    public abstract void Start(int rowCount);

    public abstract void Read(int row);

    /// <summary>Adds the batch's result columns and lets go of them, so a pooled reader keeps no result alive.</summary>
    public abstract void AddTo(List<ScoringColumn> columns);

    protected static T[] Hand<T>(ref T[] values)
    {
        var handed = values;
        values = [];
        return handed;
    }
}
