using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>
/// A read-only <see cref="IDataView"/> over a scoring batch's arrays, with the schema the model was saved with.
/// Values are read from the batch's arrays as rows are read, not copied up front: a number column feeds a Single
/// (or Double) input, a text column a text input (null becomes empty text, ML.NET's missing value), a boolean column
/// a Boolean input. A fixed-size vector input (the signature notes it as "vector of N") is fed by one number column
/// named after it that holds N values per row, row after row, so RowCount × N values in all.
/// </summary>
public sealed class ColumnarDataView : IDataView
{
    private readonly ColumnarLayout _layout;
    private readonly Array?[] _columns;
    private readonly int _rowCount;

    /// <summary>Binds <paramref name="batch"/> to <paramref name="schema"/>; fails naming the first column the batch lacks or holds with the wrong type.</summary>
    public ColumnarDataView(DataViewSchema schema, ScoringBatch batch)
        : this(ColumnarLayout.For(schema), batch)
    {
    }

    internal ColumnarDataView(ColumnarLayout layout, ScoringBatch batch)
        : this(layout, layout.Bind(batch), batch.RowCount)
    {
    }

    /// <param name="columns">The batch's arrays as <see cref="ColumnarLayout.Bind(ScoringBatch)"/> returned them.</param>
    internal ColumnarDataView(ColumnarLayout layout, Array?[] columns, int rowCount)
    {
        _layout = layout;
        _columns = columns;
        _rowCount = rowCount;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _layout.Schema;

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var cursor = new ColumnarCursor(_layout, columnsNeeded);
        cursor.Reset(_columns, _rowCount);
        return cursor;
    }

    // The rows are in memory and scoring batches are small, so one cursor is as fast as several.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}

/// <summary>How a model's input schema is fed from a scoring batch: one kind per schema column, worked out once per model.</summary>
internal sealed class ColumnarLayout
{
    // The indexes of the columns a batch must supply, in schema order.
    private readonly int[] _visible;

    private ColumnarLayout(DataViewSchema schema, InputKind[] kinds, int[] vectorSizes)
    {
        Schema = schema;
        Kinds = kinds;
        VectorSizes = vectorSizes;
        _visible = [.. schema.Where(c => !c.IsHidden).Select(c => c.Index)];
    }

    internal enum InputKind
    {
        /// <summary>A hidden column: no caller can name it, so it reads as the type's default.</summary>
        Hidden,
        Single,
        Double,
        Text,
        Boolean,
        SingleVector,
    }

    public DataViewSchema Schema { get; }

    public InputKind[] Kinds { get; }

    public int[] VectorSizes { get; }

    public static ColumnarLayout For(DataViewSchema schema)
    {
        var kinds = new InputKind[schema.Count];
        var sizes = new int[schema.Count];
        foreach (var column in schema)
        {
            if (column.IsHidden)
            {
                continue;
            }

            kinds[column.Index] = column.Type switch
            {
                TextDataViewType => InputKind.Text,
                BooleanDataViewType => InputKind.Boolean,
                NumberDataViewType when column.Type.RawType == typeof(float) => InputKind.Single,
                NumberDataViewType when column.Type.RawType == typeof(double) => InputKind.Double,
                VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item } when item.RawType == typeof(float) => InputKind.SingleVector,
                _ => throw MlopsException.Invalid($"The model's input column '{column.Name}' has the ML.NET type {column.Type}, which serving cannot feed."),
            };
            sizes[column.Index] = column.Type is VectorDataViewType known ? known.Size : 1;
        }

        return new ColumnarLayout(schema, kinds, sizes);
    }

    /// <summary>The batch's arrays by schema column index (null for hidden columns), after checking names, types and lengths.</summary>
    public Array?[] Bind(ScoringBatch batch)
    {
        var columns = new Array?[Kinds.Length];
        Bind(batch, columns);
        return columns;
    }

    /// <summary>As <see cref="Bind(ScoringBatch)"/>, into <paramref name="columns"/> (one slot per schema column), so a pooled caller allocates nothing.</summary>
    public void Bind(ScoringBatch batch, Array?[] columns)
    {
        // Batches list their columns in signature order, which is the schema's, so they are first matched in step with
        // the schema: looking up 30 names by hash takes about a sixth of the time of scoring a one-row batch.
        var next = 0;
        foreach (var (name, column) in batch.Columns)
        {
            if (next == _visible.Length || !string.Equals(name, Schema[_visible[next]].Name, StringComparison.Ordinal))
            {
                break;
            }

            Place(_visible[next++], column, batch.RowCount, columns);
        }

        for (; next < _visible.Length; next++)
        {
            var index = _visible[next];
            var name = Schema[index].Name;
            if (!batch.Columns.TryGetValue(name, out var column))
            {
                throw MlopsException.Invalid($"The batch has no column '{name}', which the model needs.");
            }

            Place(index, column, batch.RowCount, columns);
        }
    }

    private void Place(int index, ScoringColumn column, int rowCount, Array?[] columns)
    {
        var kind = Kinds[index];
        var name = Schema[index].Name;
        Array values = (kind, column) switch
        {
            (InputKind.Single or InputKind.Double or InputKind.SingleVector, NumberColumn numbers) => numbers.Values,
            (InputKind.Text, TextColumn texts) => texts.Values,
            (InputKind.Boolean, BooleanColumn booleans) => booleans.Values,
            _ => throw MlopsException.Invalid($"The column '{name}' must hold {Describe(kind)} for this model."),
        };
        var expected = (long)rowCount * VectorSizes[index];
        if (values.LongLength != expected)
        {
            throw MlopsException.Invalid($"The column '{name}' has {values.LongLength} values; the batch of {rowCount} rows needs {expected}.");
        }

        columns[index] = values;
    }

    private static string Describe(InputKind kind) => kind switch
    {
        InputKind.Text => "text",
        InputKind.Boolean => "booleans",
        _ => "numbers",
    };
}

/// <summary>
/// A cursor over bound batch arrays. It can be pointed at another batch (<see cref="Reset"/>) and at any row
/// (<see cref="MoveTo"/>); getters handed out earlier follow it, which is what lets a row-to-row mapper built on it
/// once score batch after batch. <see cref="DataViewRow.Position"/> only ever grows, since ML.NET transforms cache
/// per-row work by position.
/// </summary>
internal sealed class ColumnarCursor : DataViewRowCursor
{
    private readonly ColumnarLayout _layout;
    private readonly bool[] _active;
    private Array?[] _columns;
    private int _rowCount;
    private int _row = -1;
    private long _position = -1;

    /// <param name="columnsNeeded">The active columns; null makes every column active.</param>
    public ColumnarCursor(ColumnarLayout layout, IEnumerable<DataViewSchema.Column>? columnsNeeded)
    {
        _layout = layout;
        _columns = new Array?[layout.Kinds.Length];
        _active = new bool[layout.Kinds.Length];
        if (columnsNeeded is null)
        {
            Array.Fill(_active, true);
        }
        else
        {
            foreach (var column in columnsNeeded)
            {
                _active[column.Index] = true;
            }
        }
    }

    public override DataViewSchema Schema => _layout.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    /// <summary>Reads <paramref name="columns"/> (from <see cref="ColumnarLayout.Bind(ScoringBatch)"/>) from now on, before its first row.</summary>
    public void Reset(Array?[] columns, int rowCount)
    {
        _columns = columns;
        _rowCount = rowCount;
        _row = -1;
    }

    public void MoveTo(int row)
    {
        _row = row;
        _position++;
    }

    public override bool MoveNext()
    {
        if (_row + 1 >= _rowCount)
        {
            _row = _rowCount;
            return false;
        }

        _row++;
        _position++;
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var index = column.Index;
        if (!_active[index])
        {
            throw new InvalidOperationException($"The column '{column.Name}' is not active in this cursor.");
        }

        // Each getter reads the current array and row when called, so it survives Reset and MoveTo.
        Delegate getter = _layout.Kinds[index] switch
        {
            ColumnarLayout.InputKind.Single => (ValueGetter<float>)((ref float value) => value = ((float[])_columns[index]!)[_row]),
            ColumnarLayout.InputKind.Double => (ValueGetter<double>)((ref double value) => value = ((float[])_columns[index]!)[_row]),
            ColumnarLayout.InputKind.Text =>
                (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = ((string?[])_columns[index]!)[_row].AsMemory()),
            ColumnarLayout.InputKind.Boolean => (ValueGetter<bool>)((ref bool value) => value = ((bool[])_columns[index]!)[_row]),
            ColumnarLayout.InputKind.SingleVector => VectorGetter(index, _layout.VectorSizes[index]),
            _ => (ValueGetter<TValue>)((ref TValue value) => value = default!),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"The column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
    }

    private ValueGetter<VBuffer<float>> VectorGetter(int index, int size) => (ref VBuffer<float> value) =>
    {
        // The editor reuses the caller's buffer once it is big enough, so steady-state reads allocate nothing.
        var editor = VBufferEditor.Create(ref value, size);
        ((float[])_columns[index]!).AsSpan(_row * size, size).CopyTo(editor.Values);
        value = editor.Commit();
    };
}
