using System.Buffers;
using System.Globalization;
using Mlops.Domain.Common;
using Mlops.Domain.Serving;
using static Mlops.Application.Serving.ScoringSchema;

namespace Mlops.Application.Serving;

/// <summary>The columns being filled while a request is read, whatever its format.</summary>
public static partial class ScoringRequestParser
{
    /// <summary>One column's values while a request is read; arrays grow by doubling and are trimmed at the end.</summary>
    private struct ColumnBuffer
    {
        public float[]? Numbers;
        public string?[]? Texts;
        public bool[]? Flags;
        public int Capacity;
        public int Count;
        public int LastRow;
        public bool Present;
    }

    /// <summary>
    /// The columns of one request. The per-column state is rented, so a single-row request allocates little more than
    /// the arrays and columns it returns; a single-row column's array is allocated with length 1 and never copied.
    /// </summary>
    private readonly struct BatchBuilder(ScoringSchema schema, int maxRows)
    {
        private readonly ColumnBuffer[] _buffers = ArrayPool<ColumnBuffer>.Shared.Rent(schema.Count);

        public ScoringSchema Schema { get; } = schema;

        public void CheckRowLimit(int row)
        {
            if (row >= maxRows)
            {
                throw new MlopsException(ErrorKind.LimitExceeded, $"The request has more than {maxRows.ToString(CultureInfo.InvariantCulture)} rows; send at most that many per request.");
            }
        }

        /// <summary>Marks the column as sent; false if it already was and <paramref name="unique"/> asks.</summary>
        public bool MarkPresent(int column, bool unique)
        {
            ref var buffer = ref _buffers[column];
            if (buffer.Present && unique)
            {
                return false;
            }

            buffer.Present = true;
            return true;
        }

        public void SetCount(int column, int count) => _buffers[column].Count = count;

        /// <summary>The buffer of the column, with room for the row.</summary>
        public ref ColumnBuffer At(int column, int row)
        {
            ref var buffer = ref _buffers[column];
            if (row >= buffer.Capacity)
            {
                Grow(ref buffer, Schema.Columns[column], row);
            }

            return ref buffer;
        }

        private void Grow(ref ColumnBuffer buffer, Column column, int row)
        {
            if (buffer.Capacity == 0 && row > 0 && column.Kind == ValueKind.Boolean)
            {
                // A record-per-row request left this boolean out of the first rows.
                MissingBoolean(column, 0);
            }

            var capacity = Math.Min(Math.Max(row + 1, buffer.Capacity * 2), maxRows);
            switch (column.Kind)
            {
                case ValueKind.Text:
                    Array.Resize(ref buffer.Texts, capacity);
                    break;
                case ValueKind.Boolean:
                    Array.Resize(ref buffer.Flags, capacity);
                    break;
                default:
                    Array.Resize(ref buffer.Numbers, capacity);
                    buffer.Numbers.AsSpan(buffer.Capacity).Fill(float.NaN);
                    break;
            }

            buffer.Capacity = capacity;
        }

        /// <summary>A record may leave out a column; only a required boolean cannot be missing.</summary>
        public void EndRecord(int row)
        {
            foreach (var index in Schema.BooleanColumns)
            {
                ref var buffer = ref _buffers[index];
                if (buffer.Capacity > 0 && buffer.LastRow != row)
                {
                    MissingBoolean(Schema.Columns[index], row);
                }
            }
        }

        /// <summary>The row count of an object of columns: every column sent must have the same number of values.</summary>
        public int CommonCount()
        {
            var rows = -1;
            string? first = null;
            for (var i = 0; i < Schema.Count; i++)
            {
                ref var buffer = ref _buffers[i];
                if (!buffer.Present)
                {
                    continue;
                }

                if (first is null)
                {
                    (rows, first) = (buffer.Count, Schema.Columns[i].Name);
                }
                else if (buffer.Count != rows)
                {
                    throw MlopsException.Invalid(
                        $"The length of values for each input/column name are not the same: column '{Schema.Columns[i].Name}' has {buffer.Count}, column '{first}' has {rows}.");
                }
            }

            ThrowIfMissing();
            return Math.Max(rows, 0);
        }

        private void ThrowIfMissing()
        {
            List<string>? missing = null;
            for (var i = 0; i < Schema.Count; i++)
            {
                if (!_buffers[i].Present && Schema.Columns[i].Required)
                {
                    (missing ??= []).Add(Schema.Columns[i].Name);
                }
            }

            if (missing is not null)
            {
                throw MlopsException.Invalid(
                    $"The model needs the input column{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the request does not have.");
            }
        }

        public ScoringBatch Build(int rows)
        {
            if (rows == 0)
            {
                throw MlopsException.Invalid("The request has no rows to score.");
            }

            ThrowIfMissing();

            var columns = new ScoringColumn[Schema.Count];
            for (var i = 0; i < columns.Length; i++)
            {
                ref var buffer = ref _buffers[i];
                var column = Schema.Columns[i];
                if (buffer.Capacity < rows)
                {
                    // Records that left the column out of the last rows, or an optional column never sent.
                    At(i, rows - 1);
                }

                if (buffer.Capacity > rows)
                {
                    switch (column.Kind)
                    {
                        case ValueKind.Text:
                            Array.Resize(ref buffer.Texts, rows);
                            break;
                        case ValueKind.Boolean:
                            Array.Resize(ref buffer.Flags, rows);
                            break;
                        default:
                            Array.Resize(ref buffer.Numbers, rows);
                            break;
                    }
                }

                columns[i] = column.Kind switch
                {
                    ValueKind.Text => new TextColumn(column.Name, buffer.Texts!),
                    ValueKind.Boolean => new BooleanColumn(column.Name, buffer.Flags!),
                    _ => new NumberColumn(column.Name, buffer.Numbers!),
                };
            }

            return new ScoringBatch(rows, Schema.Wrap(columns));
        }

        /// <summary>Forgets everything read, for a second attempt at the same body.</summary>
        public void Reset() => _buffers.AsSpan(0, Schema.Count).Clear();

        public void Return() => ArrayPool<ColumnBuffer>.Shared.Return(_buffers, clearArray: true);
    }
}
