using System.Globalization;
using System.Security.Cryptography;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Learning.Data;
using Mlops.Infrastructure.Learning.Training;
using Mlops.Infrastructure.Training;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>
/// Parquet datasets: converted row group by row group into the CSV the trainer reads, so a Parquet copy of the
/// shipped data trains to exactly the CSV's metrics, and awkward values (nulls, quotes, separators, line breaks,
/// dates) survive the trip.
/// </summary>
public sealed class ParquetTrainingTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MlNetTrainingAdapter _adapter = new(new FixedTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_parquet_copy_of_the_breast_cancer_data_trains_to_the_same_metrics_as_the_csv()
    {
        var csv = SampleData.PathOf("breast_cancer.csv");
        var parquet = _temp.Combine("breast_cancer.parquet");
        WriteParquetCopy(csv, parquet, rowGroupSize: 100);

        var fromCsv = Train(csv);
        var fromParquet = Train(parquet);

        Assert.Equal(569, fromParquet.Rows);
        Assert.Equal(fromCsv.Metrics, fromParquet.Metrics);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(parquet))), fromParquet.DataSha256);
        Assert.NotEqual(fromCsv.DataSha256, fromParquet.DataSha256);
        Assert.Contains("\"rows\":569", fromParquet.DataProfileJson, StringComparison.Ordinal);
        Assert.Contains("mlnet", fromParquet.Flavors);
    }

    [Fact]
    public async Task Nulls_quotes_separators_line_breaks_and_dates_survive_conversion_in_row_order()
    {
        var parquet = _temp.Combine("awkward.parquet");
        var schema = new ParquetSchema(
            new DataField<int>("id"),
            new DataField<double?>("x"),
            new DataField<string>("note", true),
            new DataField<bool>("flag"),
            new DataField<DateTime>("at"));
        var rows = Enumerable.Range(0, 7).Select(i => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["id"] = i,
            ["x"] = i == 2 ? null : i * 0.1,
            ["note"] = i switch { 0 => "plain", 1 => "a, b", 2 => "say \"hi\"", 3 => "two\nlines", 4 => null, _ => " padded " },
            ["flag"] = i % 2 == 0,
            ["at"] = new DateTime(2024, 1, 1 + i, 0, 0, 0, DateTimeKind.Utc),
        }).ToList();
        await using (var stream = File.Create(parquet))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, new ParquetOptions { RowGroupSize = 3 });
        }

        var csv = _temp.Combine("awkward.csv");
        ParquetToCsvConverter.Convert(parquet, csv, CancellationToken.None);

        var (header, profile) = CsvDatasetInspector.Inspect(csv, ',', true, "flag", new HashSet<string> { "note", "at" }, c => c is "id" or "x");
        Assert.Equal(["id", "x", "note", "flag", "at"], header);
        Assert.Equal(7, profile.Rows);
        var x = profile.Columns.Single(c => c.Name == "x");
        Assert.Equal(1, x.Missing);
        Assert.Equal(0.6, x.Max!.Value, 10);
        Assert.Equal(1, profile.Columns.Single(c => c.Name == "note").Missing);
        Assert.Equal(5, profile.Columns.Single(c => c.Name == "note").Distinct);

        var lines = File.ReadAllLines(csv);
        Assert.Equal(8, lines.Length);
        Assert.StartsWith("0,0,plain,true,2024-01-01T00:00:00", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("1,0.1,\"a, b\",false,", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("2,,\"say \"\"hi\"\"\",true,", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("3,0.30000000000000004,two lines,false,", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("4,0.4,,true,", lines[5], StringComparison.Ordinal);
        Assert.StartsWith("6,0.6000000000000001,\" padded \",true,2024-01-07", lines[7], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nested_column_is_refused_with_its_name()
    {
        var parquet = _temp.Combine("nested.parquet");
        var schema = new ParquetSchema(new DataField<double>("x"), new StructField("tags", new DataField<string>("first", true)));
        var rows = new List<IDictionary<string, object?>>
        {
            new Dictionary<string, object?> { ["x"] = 1.0, ["tags"] = new Dictionary<string, object?> { ["first"] = "a" } },
        };
        await using (var stream = File.Create(parquet))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);
        }

        var error = Assert.Throws<MlopsException>(() => ParquetToCsvConverter.Convert(parquet, _temp.Combine("nested.csv"), CancellationToken.None));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'tags'", error.Message, StringComparison.Ordinal);
        Assert.Contains("only flat columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_parquet_fails_with_a_clear_error()
    {
        var fake = _temp.Combine("fake.parquet");
        File.WriteAllText(fake, "a,b\n1,2\n");

        var error = Assert.Throws<MlopsException>(() => ParquetToCsvConverter.Convert(fake, _temp.Combine("fake.csv"), CancellationToken.None));

        Assert.Contains("is not a readable Parquet file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_parquet_file_names_the_path()
    {
        var error = Assert.Throws<MlopsException>(() => ParquetToCsvConverter.Convert(_temp.Combine("absent.parquet"), _temp.Combine("absent.csv"), CancellationToken.None));

        Assert.Contains("absent.parquet", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    private Application.Ports.TrainingOutcome Train(string dataPath)
    {
        var spec = TrainingSpecParser.Parse($$"""
            name: bc
            dataset:
              path: {{dataPath}}
              label: label
              folds_file: {{SampleData.PathOf("breast_cancer.folds.csv")}}
            task: binary
            trainer:
              name: lightgbm
            validation: {method: kfold, seed: 42}
            """);
        return _adapter.Train(spec, dataPath, spec.Dataset.FoldsFile, _temp.Combine("model-" + Guid.NewGuid().ToString("N")[..8]), "run1", _ => { }, (_, _) => { }, CancellationToken.None);
    }

    /// <summary>Typed like a real export: double features, a boolean label.</summary>
    private static void WriteParquetCopy(string csvPath, string parquetPath, int rowGroupSize)
    {
        var lines = File.ReadAllLines(csvPath);
        var header = lines[0].Split(',');
        var fields = header.Select(h => h == "label" ? (Field)new DataField<bool>(h) : new DataField<double>(h)).ToArray();
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var values = line.Split(',');
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = header[i] == "label" ? values[i] == "1" : double.Parse(values[i], CultureInfo.InvariantCulture);
            }

            return (IDictionary<string, object?>)row;
        }).ToList();
        using var stream = File.Create(parquetPath);
        ParquetSerializer.SerializeUntypedAsync(rows, new ParquetSchema(fields), stream, new ParquetOptions { RowGroupSize = rowGroupSize }).GetAwaiter().GetResult();
    }
}
