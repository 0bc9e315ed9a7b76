using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Learning.Data;

/// <summary>
/// Reads a CSV once, streaming, before ML.NET sees it: ML.NET's loader turns a ragged row or a word in a numeric
/// column into a silent NaN, so the checks happen here and fail with the row and column. The same pass computes
/// the data profile and the content hash.
/// </summary>
public static class CsvDatasetInspector
{
    private const int MaxDistinctTracked = 10_000;

    /// <param name="textColumns">Columns the spec names as text (categorical or free text); they must exist.</param>
    /// <param name="isNumeric">Which columns must hold numbers; the others (text, ignored, unused) may hold anything.</param>
    public static (string[] Header, DataProfile Profile) Inspect(string path, char separator, bool hasHeader, string label, IReadOnlySet<string> textColumns, Func<string, bool>? isNumeric = null)
    {
        if (!File.Exists(path))
        {
            throw MlopsException.Invalid($"dataset.path: the file '{path}' does not exist.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new StreamReader(new HashingStream(stream, hash), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);

        var first = reader.ReadLine() ?? throw MlopsException.Invalid($"dataset.path: '{path}' is empty.");
        var firstFields = Split(first, separator, 1);
        var header = hasHeader ? firstFields.Select(f => f.Trim()).ToArray() : firstFields.Select((_, i) => "column" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw MlopsException.Invalid($"dataset: the column '{duplicate.Key}' appears twice in the header of '{path}'.");
        }

        if (!header.Contains(label, StringComparer.Ordinal))
        {
            throw MlopsException.Invalid($"dataset.label: the label column '{label}' is not in '{path}'; its columns are {string.Join(", ", header)}.");
        }

        foreach (var column in textColumns)
        {
            if (!header.Contains(column, StringComparer.Ordinal))
            {
                throw MlopsException.Invalid($"dataset: the column '{column}' named in the spec is not in '{path}'.");
            }
        }

        var stats = header.Select(h => new ColumnStats(h, isNumeric?.Invoke(h) ?? !textColumns.Contains(h))).ToArray();
        long rows = 0;
        var lineNumber = 1;
        if (!hasHeader)
        {
            Accumulate(firstFields, stats, ++rows, lineNumber);
        }

        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = Split(line, separator, lineNumber);
            if (fields.Count != header.Length)
            {
                throw MlopsException.Invalid($"dataset: row {rows + 1} (line {lineNumber}) has {fields.Count} fields; the header has {header.Length}.");
            }

            Accumulate(fields, stats, ++rows, lineNumber);
        }

        if (rows == 0)
        {
            throw MlopsException.Invalid($"dataset: '{path}' has a header but no rows.");
        }

        var labelStats = stats[Array.IndexOf(header, label)];
        if (labelStats.Missing > 0)
        {
            throw MlopsException.Invalid($"dataset.label: {labelStats.Missing} row(s) have no value in the label column '{label}' (first at row {labelStats.FirstMissingRow}).");
        }

        reader.ReadToEnd();
        var profile = new DataProfile(rows, Convert.ToHexStringLower(hash.GetHashAndReset()), stats.Select(s => s.ToProfile()).ToList());
        return (header, profile);
    }

    private static void Accumulate(List<string> fields, ColumnStats[] stats, long row, int lineNumber)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            stats[i].Add(fields[i], row, lineNumber);
        }
    }

    /// <summary>Splits one line, honouring double-quoted fields with doubled quotes inside.</summary>
    private static List<string> Split(string line, char separator, int lineNumber)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"' && current.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            throw MlopsException.Invalid($"dataset: line {lineNumber} has an unterminated quoted field.");
        }

        fields.Add(current.ToString());
        return fields;
    }

    private sealed class ColumnStats(string name, bool numeric)
    {
        private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
        private long _count;
        private double _mean;
        private double _m2;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public long Missing { get; private set; }

        public long FirstMissingRow { get; private set; }

        public void Add(string raw, long row, int lineNumber)
        {
            var value = raw.Trim();
            if (value.Length == 0 || (numeric && value is "NA" or "NaN" or "nan" or "null"))
            {
                Missing++;
                FirstMissingRow = FirstMissingRow == 0 ? row : FirstMissingRow;
                return;
            }

            if (!numeric)
            {
                if (_distinct.Count < MaxDistinctTracked)
                {
                    _distinct.Add(value);
                }

                return;
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                throw MlopsException.Invalid($"dataset: row {row} (line {lineNumber}), column '{name}': '{Shorten(value)}' is not a number. List the column under dataset.categorical or dataset.text if it holds words.");
            }

            // Welford's online mean and variance: one pass, numerically stable.
            _count++;
            var delta = number - _mean;
            _mean += delta / _count;
            _m2 += delta * (number - _mean);
            _min = Math.Min(_min, number);
            _max = Math.Max(_max, number);
        }

        public ColumnProfile ToProfile() => numeric
            ? new ColumnProfile(name, true, Missing, _count == 0 ? null : _min, _count == 0 ? null : _max, _count == 0 ? null : _mean,
                _count < 2 ? null : Math.Sqrt(_m2 / (_count - 1)), null)
            : new ColumnProfile(name, false, Missing, null, null, null, null, _distinct.Count);

        private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";
    }

    /// <summary>Feeds every byte read through the hash, so hashing costs no second pass over the file.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            hash.AppendData(buffer, offset, read);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
