using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Application.Serving;
using Mlops.Domain.Serving;

namespace Mlops.Server.Tests.Serving;

/// <summary>MLflow's response shape: <c>{"predictions": [...]}</c>, records for several columns, values for one.</summary>
public sealed class ScoringResponseWriterTests
{
    private static string Write(ScoringResult result)
    {
        var output = new ArrayBufferWriter<byte>();
        ScoringResponseWriter.Write(output, result);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static ScoringResult Binary(int rows) => new(rows,
    [
        new BooleanColumn("PredictedLabel", [.. Enumerable.Range(0, rows).Select(i => i % 2 == 0)]),
        new NumberColumn("Score", [.. Enumerable.Range(0, rows).Select(i => 3.2f + i)]),
        new NumberColumn("Probability", [.. Enumerable.Range(0, rows).Select(i => 0.96f / (i + 1))]),
    ]);

    [Fact]
    public void Several_columns_are_one_record_per_row()
    {
        Assert.Equal("""{"predictions":[{"PredictedLabel":true,"Score":3.2,"Probability":0.96}]}""", Write(Binary(1)));
    }

    [Fact]
    public void Many_rows_of_records_keep_their_order_and_names()
    {
        var predictions = JsonNode.Parse(Write(Binary(50)))!["predictions"]!.AsArray();

        Assert.Equal(50, predictions.Count);
        for (var i = 0; i < 50; i++)
        {
            var record = predictions[i]!.AsObject();
            Assert.Equal(["PredictedLabel", "Score", "Probability"], record.Select(p => p.Key));
            Assert.Equal(i % 2 == 0, (bool)record["PredictedLabel"]!);
            Assert.Equal(3.2f + i, (float)record["Score"]!);
            Assert.Equal(0.96f / (i + 1), (float)record["Probability"]!);
        }
    }

    [Fact]
    public void One_column_is_a_list_of_plain_values()
    {
        Assert.Equal("""{"predictions":[1.5,2,-0.25]}""", Write(new ScoringResult(3, [new NumberColumn("Score", [1.5f, 2f, -0.25f])])));
        Assert.Equal("""{"predictions":[true,false]}""", Write(new ScoringResult(2, [new BooleanColumn("PredictedLabel", [true, false])])));
        Assert.Equal("""{"predictions":["setosa",null]}""", Write(new ScoringResult(2, [new TextColumn("PredictedLabel", ["setosa", null])])));
    }

    [Fact]
    public void Nan_and_infinities_are_written_as_null()
    {
        var result = new ScoringResult(3, [new NumberColumn("Score", [float.NaN, float.PositiveInfinity, float.NegativeInfinity]), new TextColumn("Label", ["a", "b", "c"])]);

        Assert.Equal("""{"predictions":[{"Score":null,"Label":"a"},{"Score":null,"Label":"b"},{"Score":null,"Label":"c"}]}""", Write(result));
        Assert.Equal("""{"predictions":[null,null,null]}""", Write(new ScoringResult(3, [result.Columns[0]])));
    }

    [Fact]
    public void Floats_read_back_exactly()
    {
        var random = new Random(7);
        float[] values = [0.1f, 1e-7f, 3.4028235e38f, float.Epsilon, -0f, 16777217f, .. Enumerable.Range(0, 500).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20))))];

        var written = JsonNode.Parse(Write(new ScoringResult(values.Length, [new NumberColumn("Score", values)])))!["predictions"]!.AsArray();

        Assert.Equal(values, written.Select(v => float.Parse(v!.ToJsonString(), CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Text_is_escaped_as_json()
    {
        var text = "quote \" backslash \\ newline \n tab \t é 中 <b>";

        var json = Write(new ScoringResult(1, [new TextColumn("Label \"x\"", [text]), new NumberColumn("Score", [1f])]));

        var record = JsonNode.Parse(json)!["predictions"]![0]!.AsObject();
        Assert.Equal(text, (string)record["Label \"x\""]!);
        Assert.True(Encoding.UTF8.GetByteCount(json) == json.Length, "non-ASCII text is escaped, as Python's json.dump does");
    }

    [Fact]
    public void No_rows_is_an_empty_list()
    {
        Assert.Equal("""{"predictions":[]}""", Write(new ScoringResult(0, [new NumberColumn("Score", [])])));
        Assert.Equal("""{"predictions":[]}""", Write(new ScoringResult(0, [])));
    }

    [Fact]
    public void Only_the_result_rows_are_written_when_a_column_has_spare_room()
    {
        Assert.Equal("""{"predictions":[1,2]}""", Write(new ScoringResult(2, [new NumberColumn("Score", [1f, 2f, 3f])])));
    }

    [Fact]
    public void The_writer_is_reusable_after_a_failed_write_and_across_threads()
    {
        var broken = new ScoringResult(2, [new NumberColumn("Score", [1f]), new NumberColumn("Other", [1f])]);
        Assert.Throws<IndexOutOfRangeException>(() => Write(broken));

        Assert.Equal("""{"predictions":[{"PredictedLabel":true,"Score":3.2,"Probability":0.96}]}""", Write(Binary(1)));
        var outputs = new string[64];
        Parallel.For(0, outputs.Length, i => outputs[i] = Write(Binary(1 + (i % 8))));
        Assert.All(Enumerable.Range(0, outputs.Length), i => Assert.Equal(Write(Binary(1 + (i % 8))), outputs[i]));
    }

    [Fact]
    public void The_response_is_an_object_with_only_predictions()
    {
        using var document = JsonDocument.Parse(Write(Binary(3)));

        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("predictions").ValueKind);
        Assert.Single(document.RootElement.EnumerateObject());
    }
}
