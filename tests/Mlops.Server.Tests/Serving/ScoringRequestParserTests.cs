using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Application.Serving;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Server.Tests.Serving;

/// <summary>
/// The MLflow 2.x scoring protocol as <c>mlflow models serve</c> reads it: every body format, the lenient value
/// conversions MLflow makes, and every way a request can be refused (with the column and row named).
/// </summary>
public sealed class ScoringRequestParserTests
{
    private const string Json = "application/json";
    private const string Csv = "text/csv";

    private static readonly ModelSignature s_signature = new(
        [
            new ColumnSpec("age", ColumnType.Double),
            new ColumnSpec("weight", ColumnType.Float),
            new ColumnSpec("visits", ColumnType.Long),
            new ColumnSpec("rooms", ColumnType.Integer),
            new ColumnSpec("city", ColumnType.String),
            new ColumnSpec("member", ColumnType.Boolean),
            new ColumnSpec("note", ColumnType.String, Required: false),
        ],
        [new ColumnSpec("Score", ColumnType.Float)]);

    private static readonly ScoringSchema s_schema = ScoringSchema.From(s_signature);

    private static readonly ScoringSchema s_oneColumn = ScoringSchema.From(new ModelSignature([new ColumnSpec("x", ColumnType.Double)], []));

    private const string SplitRow = """{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[41.5, 70, 3, 2, "Oslo", true]]}}""";

    private static ScoringBatch Parse(string body, string? contentType = Json, int maxRows = 100_000) =>
        ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), contentType, s_schema, maxRows);

    private static MlopsException Refused(string body, string? contentType = Json, int maxRows = 100_000) =>
        Assert.Throws<MlopsException>(() => Parse(body, contentType, maxRows));

    private static float[] Numbers(ScoringBatch batch, string name) => Assert.IsType<NumberColumn>(batch.Columns[name]).Values;

    private static IEnumerable<string?> Texts(ScoringBatch batch, string name) => Assert.IsType<TextColumn>(batch.Columns[name]).Values;

    private static bool[] Flags(ScoringBatch batch, string name) => Assert.IsType<BooleanColumn>(batch.Columns[name]).Values;

    private static void AssertTheSplitRow(ScoringBatch batch)
    {
        Assert.Equal(1, batch.RowCount);
        Assert.Equal(["age", "weight", "visits", "rooms", "city", "member", "note"], batch.Columns.Keys);
        Assert.Equal([41.5f], Numbers(batch, "age"));
        Assert.Equal([70f], Numbers(batch, "weight"));
        Assert.Equal([3f], Numbers(batch, "visits"));
        Assert.Equal([2f], Numbers(batch, "rooms"));
        Assert.Equal(["Oslo"], Texts(batch, "city"));
        Assert.Equal([true], Flags(batch, "member"));
        Assert.Equal([null], Texts(batch, "note"));
    }

    [Fact]
    public void Dataframe_split_reads_one_row_of_every_column_type()
    {
        var batch = Parse(SplitRow);

        AssertTheSplitRow(batch);
        Assert.All(batch.Columns, c => Assert.Equal(c.Key, c.Value.Name));
        Assert.Equal(7, batch.Columns.Count);
        Assert.True(batch.Columns.ContainsKey("city"));
        Assert.False(batch.Columns.ContainsKey("nope"));
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"data": [[41.5, 70, 3, 2, "Oslo", true]], "columns": ["age", "weight", "visits", "rooms", "city", "member"]}}""")]
    [InlineData("""{"dataframe_split": {"index": [7], "columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[41.5, 70, 3, 2, "Oslo", true]]}}""")]
    [InlineData("""{"dataframe_split": {"columns": ["member", "city", "rooms", "visits", "weight", "age"], "data": [[true, "Oslo", 2, 3, 70, 41.5]]}}""")]
    [InlineData("""{"params": {"temperature": 0.5}, "dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[41.5, 70, 3, 2, "Oslo", true]]}}""")]
    [InlineData("""{"dataframe_records": [{"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]}""")]
    [InlineData("""{"dataframe_records": [{"member": true, "city": "Oslo", "rooms": 2, "visits": 3, "weight": 70, "age": 41.5}], "params": {}}""")]
    [InlineData("""{"instances": [{"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]}""")]
    [InlineData("""{"instances": {"age": [41.5], "weight": [70], "visits": [3], "rooms": [2], "city": ["Oslo"], "member": [true]}}""")]
    [InlineData("""{"inputs": {"age": [41.5], "weight": [70], "visits": [3], "rooms": [2], "city": ["Oslo"], "member": [true]}}""")]
    [InlineData("""{"inputs": {"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}}""")]
    [InlineData("""{"inputs": [{"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]}""")]
    [InlineData("""{"inputs": [{"\u0061ge": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]}""")]
    [InlineData("""{"client_request_id": "abc", "inputs": [{"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]}""")]
    public void Every_json_shape_of_the_same_row_reads_the_same(string body)
    {
        AssertTheSplitRow(Parse(body));
    }

    [Theory]
    [InlineData("application/json; format=pandas-split", """{"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[41.5, 70, 3, 2, "Oslo", true]]}""")]
    [InlineData("application/json; format=pandas-records", """[{"age": 41.5, "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true}]""")]
    [InlineData("application/json; charset=utf-8", SplitRow)]
    [InlineData("Application/JSON;charset=\"UTF-8\"", SplitRow)]
    [InlineData("text/csv", "age,weight,visits,rooms,city,member\n41.5,70,3,2,Oslo,True\n")]
    [InlineData("text/csv; charset=utf-8", "age,weight,visits,rooms,city,member\r\n41.5,70,3,2,Oslo,true")]
    [InlineData("text/csv", ",age,weight,visits,rooms,city,member\n0,41.5,70,3,2,Oslo,True\n")]
    [InlineData("text/csv", "\n\nage,weight,visits,rooms,city,member\n\n41.5,70,3,2,\"Oslo\",1\n\n")]
    public void Old_pandas_content_types_and_csv_read_the_same_row(string contentType, string body)
    {
        AssertTheSplitRow(Parse(body, contentType));
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(SplitRow)).ToArray();

        AssertTheSplitRow(ScoringRequestParser.Parse(body, Json, s_schema));
    }

    [Fact]
    public void The_signature_overload_reads_the_same_as_a_prepared_schema()
    {
        AssertTheSplitRow(ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(SplitRow), Json, s_signature));
    }

    [Fact]
    public void Csv_quoted_fields_keep_commas_newlines_and_doubled_quotes()
    {
        var body = "city,age,weight,visits,rooms,member,note\r\n"
            + "\"Oslo, Norway\",1,2,3,4,False,\"said \"\"hi\"\"\"\r\n"
            + "\"two\nlines\",5,6,7,8,TRUE,\"\"\r\n"
            + "NA,9,10,11,12,0,\"NA\"\r\n";

        var batch = Parse(body, Csv);

        Assert.Equal(3, batch.RowCount);
        Assert.Equal(["Oslo, Norway", "two\nlines", null], Texts(batch, "city"));
        Assert.Equal(["said \"hi\"", "", "NA"], Texts(batch, "note"));
        Assert.Equal([1f, 5f, 9f], Numbers(batch, "age"));
        Assert.Equal([false, true, false], Flags(batch, "member"));
    }

    [Fact]
    public void Csv_missing_markers_are_nan_for_numbers()
    {
        var body = "age,weight,visits,rooms,city,member\n,NaN,NA,null,x,true\n";

        var batch = Parse(body, Csv);

        Assert.All(new[] { "age", "weight", "visits", "rooms" }, name => Assert.True(float.IsNaN(Numbers(batch, name)[0])));
    }

    [Theory]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,x\n", "Row 0 of the CSV (line 2) has 5 fields, but the header has 6 columns")]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,x,true\n1,2,3,4,x,true,7,8\n", "Row 1 of the CSV (line 3) has 8 fields, but the header has 6 columns")]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,\"x,true\n", "never closed")]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,\"x\"y,true\n", "after a closing quote on line 2")]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,x,maybe\n", "Column 'member' (boolean), row 0: \"maybe\" is not a boolean")]
    [InlineData("age,weight,visits,rooms,city,member\n1,2,3,4,x,true\n1,2,abc,4,x,true\n", "Column 'visits' (long), row 1: \"abc\" is not a number")]
    [InlineData("age,age,weight,visits,rooms,city,member\n", "The column 'age' appears twice in the CSV header")]
    [InlineData("", "The CSV body is empty")]
    public void Bad_csv_is_refused_naming_the_row_or_column(string body, string message)
    {
        var error = Refused(body, Csv);

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_thousand_rows_are_read_in_order()
    {
        var data = string.Join(", ", Enumerable.Range(0, 1000).Select(i =>
            $"[{i * 0.5}, {i}, {i * 2}, {i % 7}, \"c{i}\", {(i % 2 == 0 ? "true" : "false")}, {(i % 3 == 0 ? "null" : $"\"n{i}\"")}]"));
        var body = $$$"""{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member", "note"], "data": [{{{data}}}]}}""";

        var batch = Parse(body);

        Assert.Equal(1000, batch.RowCount);
        Assert.All(batch.Columns.Values, c => Assert.Equal(1000, c switch
        {
            NumberColumn n => n.Values.Length,
            TextColumn t => t.Values.Length,
            BooleanColumn b => b.Values.Length,
            _ => -1,
        }));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 0.5f), Numbers(batch, "age"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (float)(i % 7)), Numbers(batch, "rooms"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "c" + i), Texts(batch, "city"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i % 2 == 0), Flags(batch, "member"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? null : "n" + i), Texts(batch, "note"));
    }

    [Theory]
    [InlineData(Json, """{"dataframe_split": {"columns": ["x"], "data": [[1], [2], [3]]}}""")]
    [InlineData(Json, """{"dataframe_records": [{"x": 1}, {"x": 2}, {"x": 3}]}""")]
    [InlineData(Json, """{"instances": [1, 2, 3]}""")]
    [InlineData(Json, """{"inputs": {"x": [1, 2, 3]}}""")]
    [InlineData(Csv, "x\n1\n2\n3\n")]
    public void More_rows_than_the_limit_is_limit_exceeded(string contentType, string body)
    {
        var error = Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), contentType, s_oneColumn, maxRows: 2));

        Assert.Equal(ErrorKind.LimitExceeded, error.Kind);
        Assert.Contains("more than 2 rows", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), contentType, s_oneColumn, maxRows: 3).RowCount);
    }

    [Theory]
    [InlineData(Json, """{"dataframe_split": {"columns": ["x"], "data": []}}""")]
    [InlineData(Json, """{"dataframe_records": []}""")]
    [InlineData(Json, """{"instances": []}""")]
    [InlineData(Json, """{"inputs": {"x": []}}""")]
    [InlineData(Csv, "x\n")]
    public void A_request_without_rows_is_refused(string contentType, string body)
    {
        var error = Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), contentType, s_oneColumn));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("no rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_one_input_takes_a_plain_list_of_values()
    {
        var instances = ScoringRequestParser.Parse("""{"instances": [1, 2.5, null, "4"]}"""u8, Json, s_oneColumn);
        var inputs = ScoringRequestParser.Parse("""{"inputs": [1, 2.5, null, "4"]}"""u8, Json, s_oneColumn);
        var split = ScoringRequestParser.Parse("""{"dataframe_split": {"columns": ["x"], "data": [1, 2.5, null, "4"]}}"""u8, Json, s_oneColumn);

        Assert.All(new[] { instances, inputs, split }, batch => Assert.Equal([1f, 2.5f, float.NaN, 4f], Numbers(batch, "x")));
    }

    [Fact]
    public void A_plain_list_of_values_is_refused_for_a_model_with_several_inputs()
    {
        var error = Refused("""{"instances": [1, 2, 3]}""");

        Assert.Contains("only a model with one input column takes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Booleans_take_true_false_one_and_zero()
    {
        var body = """{"inputs": {"age": [1, 1, 1, 1, 1, 1], "weight": [1, 1, 1, 1, 1, 1], "visits": [1, 1, 1, 1, 1, 1], "rooms": [1, 1, 1, 1, 1, 1], "city": ["a", "a", "a", "a", "a", "a"], "member": [true, false, 1, 0, "True", "0"]}}""";

        Assert.Equal([true, false, true, false, true, false], Flags(Parse(body), "member"));
    }

    [Fact]
    public void Numeric_strings_and_whole_decimals_are_numbers()
    {
        var body = """{"dataframe_records": [{"age": "41.5", "weight": "1e3", "visits": 3.0, "rooms": "7", "city": "x", "member": false}]}""";

        var batch = Parse(body);

        Assert.Equal([41.5f], Numbers(batch, "age"));
        Assert.Equal([1000f], Numbers(batch, "weight"));
        Assert.Equal([3f], Numbers(batch, "visits"));
        Assert.Equal([7f], Numbers(batch, "rooms"));
    }

    [Fact]
    public void Every_decimal_reads_as_the_general_parser_reads_it()
    {
        var random = new Random(11);
        var texts = Enumerable.Range(0, 3000).Select(_ =>
        {
            var digits = new string([.. Enumerable.Range(0, random.Next(1, 20)).Select(i => (char)('0' + random.Next(i == 0 ? 1 : 0, 10)))]);
            var point = random.Next(digits.Length + 1);
            var text = point == digits.Length ? digits : digits[..point] + "." + digits[point..];
            return (random.Next(2) == 0 ? "-" : "") + (text.StartsWith('.') ? "0" + text : text);
        }).Append("123456789012345.6").Append("0.000000000000001").Append("-0").ToArray();
        var expected = texts.Select(t => (float)double.Parse(t, CultureInfo.InvariantCulture)).ToArray();

        var numbers = ScoringRequestParser.Parse(Encoding.UTF8.GetBytes($"{{\"instances\": [{string.Join(", ", texts)}]}}"), Json, s_oneColumn);
        var strings = ScoringRequestParser.Parse(Encoding.UTF8.GetBytes($"{{\"instances\": [{string.Join(", ", texts.Select(t => $"\"{t}\""))}]}}"), Json, s_oneColumn);
        var csv = ScoringRequestParser.Parse(Encoding.UTF8.GetBytes("x\n" + string.Join("\n", texts)), Csv, s_oneColumn);

        Assert.Equal(expected, Numbers(numbers, "x"));
        Assert.Equal(expected, Numbers(strings, "x"));
        Assert.Equal(expected, Numbers(csv, "x"));
    }

    [Fact]
    public void Null_is_nan_for_numbers_and_null_for_strings()
    {
        var body = """{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member", "note"], "data": [[null, null, null, null, null, false, null]]}}""";

        var batch = Parse(body);

        Assert.All(new[] { "age", "weight", "visits", "rooms" }, name => Assert.True(float.IsNaN(Numbers(batch, name)[0])));
        Assert.Equal([null], Texts(batch, "city"));
        Assert.Equal([null], Texts(batch, "note"));
    }

    [Fact]
    public void A_record_that_leaves_a_column_out_has_a_missing_value_there()
    {
        var body = """{"dataframe_records": [{"age": 1, "weight": 2, "visits": 3, "rooms": 4, "city": "a", "member": true, "note": "n"}, {"weight": 2, "visits": 3, "rooms": 4, "member": false}, {"age": 5, "weight": 6, "visits": 7, "rooms": 8, "member": true}]}""";

        var batch = Parse(body);

        Assert.Equal([1f, float.NaN, 5f], Numbers(batch, "age"));
        Assert.Equal(["a", null, null], Texts(batch, "city"));
        Assert.Equal(["n", null, null], Texts(batch, "note"));
    }

    [Fact]
    public void Python_nan_and_infinity_literals_are_read_as_missing_and_infinite()
    {
        var body = """{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[NaN, Infinity, NaN, NaN, "NaN Infinity", true], [-Infinity, 1, 2, 3, "x", false]]}}""";

        var batch = Parse(body);

        Assert.Equal([float.NaN, float.NegativeInfinity], Numbers(batch, "age"));
        Assert.Equal([float.PositiveInfinity, 1f], Numbers(batch, "weight"));
        Assert.Equal([float.NaN, 2f], Numbers(batch, "visits"));
        Assert.Equal(["NaN Infinity", "x"], Texts(batch, "city"));
        Assert.Equal("Column 'rooms' (integer), row 0: -Infinity is not a whole number.", Refused(body.Replace("NaN, NaN, \"NaN", "NaN, -Infinity, \"NaN", StringComparison.Ordinal)).Message);
    }

    [Fact]
    public void Columns_the_model_does_not_take_are_ignored()
    {
        var split = """{"dataframe_split": {"columns": ["extra", "age", "weight", "visits", "rooms", "city", "member", 3], "data": [[{"deep": [1, 2]}, 41.5, 70, 3, 2, "Oslo", true, "x"]]}}""";
        var records = """{"dataframe_records": [{"age": 41.5, "extra": [1, {"a": 2}], "weight": 70, "visits": 3, "rooms": 2, "city": "Oslo", "member": true, "zz": null}]}""";
        var columns = """{"inputs": {"extra": [1, 2, 3], "age": [41.5], "weight": [70], "visits": [3], "rooms": [2], "city": ["Oslo"], "member": [true]}}""";
        var csv = "extra,age,weight,visits,rooms,city,member,more\n\"a,b\",41.5,70,3,2,Oslo,True,\n";

        AssertTheSplitRow(Parse(split));
        AssertTheSplitRow(Parse(records));
        AssertTheSplitRow(Parse(columns));
        AssertTheSplitRow(Parse(csv, Csv));
    }

    [Fact]
    public void A_missing_required_column_is_refused_by_name()
    {
        var error = Refused("""{"dataframe_records": [{"age": 1, "weight": 2, "visits": 3, "city": "a"}]}""");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("The model needs the input columns 'rooms', 'member', which the request does not have.", error.Message);
        Assert.Contains("'member'", Refused("""{"inputs": {"age": [1], "weight": [2], "visits": [3], "rooms": [4], "city": ["a"]}}""").Message, StringComparison.Ordinal);
        Assert.Contains("'age'", Refused("weight,visits,rooms,city,member\n1,2,3,a,true\n", Csv).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[["abc", 70, 3, 2, "Oslo", true]]""", "Column 'age' (double), row 0: \"abc\" is not a number.")]
    [InlineData("""[[1, 70, 3, 2, "Oslo", true], [1, true, 3, 2, "Oslo", true]]""", "Column 'weight' (float), row 1: true is not a number.")]
    [InlineData("""[[1, 70, 2.5, 2, "Oslo", true]]""", "Column 'visits' (long), row 0: 2.5 is not a whole number.")]
    [InlineData("""[[1, 70, 3, 3000000000, "Oslo", true]]""", "Column 'rooms' (integer), row 0: 3000000000 is outside the range of a 32-bit integer.")]
    [InlineData("""[[1, 1e300, 3, 2, "Oslo", true]]""", "Column 'weight' (float), row 0: 1E+300 is outside the range of a 32-bit float, which the model takes.")]
    [InlineData("""[[1, 70, 3, 2, 12, true]]""", "Column 'city' (string), row 0: 12 is not a string.")]
    [InlineData("""[[1, 70, 3, 2, ["a"], true]]""", "Column 'city' (string), row 0: a list is not a string.")]
    [InlineData("""[[1, 70, 3, 2, "Oslo", 2]]""", "Column 'member' (boolean), row 0: 2 is not a boolean (true, false, 1 or 0).")]
    [InlineData("""[[1, 70, 3, 2, "Oslo", "yes"]]""", "Column 'member' (boolean), row 0: \"yes\" is not a boolean (true, false, 1 or 0).")]
    [InlineData("""[[1, 70, 3, 2, "Oslo", true], [1, 70, 3, 2, "Oslo", null]]""", "Column 'member' (boolean), row 1: the value is missing, and a boolean column needs true or false.")]
    [InlineData("""[[1, {"a": 1}, 3, 2, "Oslo", true]]""", "Column 'weight' (float), row 0: an object is not a number.")]
    public void A_value_of_the_wrong_type_is_refused_naming_column_and_row(string data, string message)
    {
        var error = Refused($$$"""{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": {{{data}}}}}""");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_required_boolean_left_out_of_a_record_is_refused_naming_the_row()
    {
        var first = Refused("""{"dataframe_records": [{"age": 1, "weight": 2, "visits": 3, "rooms": 4, "city": "a"}, {"age": 1, "weight": 2, "visits": 3, "rooms": 4, "city": "a", "member": true}]}""");
        var last = Refused("""{"dataframe_records": [{"age": 1, "weight": 2, "visits": 3, "rooms": 4, "city": "a", "member": true}, {"age": 1, "weight": 2, "visits": 3, "rooms": 4, "city": "a"}]}""");

        Assert.StartsWith("Column 'member' (boolean), row 0: the value is missing", first.Message, StringComparison.Ordinal);
        Assert.StartsWith("Column 'member' (boolean), row 1: the value is missing", last.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_optional_column_that_is_not_sent_is_all_missing()
    {
        var signature = new ModelSignature(
            [new ColumnSpec("x", ColumnType.Double), new ColumnSpec("y", ColumnType.Double, Required: false), new ColumnSpec("flag", ColumnType.Boolean, Required: false)],
            []);

        var batch = ScoringRequestParser.Parse("""{"inputs": {"x": [1, 2]}}"""u8, Json, signature);

        Assert.Equal([float.NaN, float.NaN], Numbers(batch, "y"));
        Assert.Equal([false, false], Flags(batch, "flag"));
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[1, 2, 3, 4, "a", true], [1, 2, 3, 4, "a"]]}}""", "Row 1 of the dataframe split data has 5 values, but there are 6 columns.")]
    [InlineData("""{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [[1, 2, 3, 4, "a", true, 7, [8]]]}}""", "Row 0 of the dataframe split data has 8 values, but there are 6 columns.")]
    [InlineData("""{"dataframe_split": {"columns": ["age", "weight", "visits", "rooms", "city", "member"], "data": [{"age": 1}]}}""", "Row 0 of the dataframe split data is an object, not a list of values.")]
    public void Ragged_dataframe_split_rows_are_refused_naming_the_row(string body, string message)
    {
        Assert.Equal(message, Refused(body).Message);
    }

    [Theory]
    [InlineData("""{"dataframe_split": {"columns": ["x"], "data": [[1]]""", "LineNumber: 0 | BytePositionInLine: 52")]
    [InlineData("""{"dataframe_split": {"columns": ["x"], "data": [[1,]]}}""", "BytePositionInLine")]
    [InlineData("""{"dataframe_split": {"columns": ["x"], "data": [[1]]}} trailing""", "BytePositionInLine")]
    [InlineData("""{"dataframe_split": {"columns": ["x"], /* comment */ "data": [[1]]}}""", "BytePositionInLine")]
    [InlineData("not json", "BytePositionInLine")]
    public void Malformed_json_is_refused_with_the_position(string body, string position)
    {
        var error = Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), Json, s_oneColumn));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("The request body is not valid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(position, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "The request body is empty.")]
    [InlineData("""[{"x": 1}]""", "The input must be a JSON dictionary with exactly one of the input fields 'dataframe_split', 'dataframe_records', 'instances' or 'inputs'. Received a list.")]
    [InlineData("\"x\"", "Received \"x\".")]
    [InlineData("""{"data": [[1]], "columns": ["x"]}""", "Received dictionary with input fields: [data, columns].")]
    [InlineData("""{"params": {"a": 1}}""", "Received dictionary with input fields: [params].")]
    [InlineData("""{"instances": [1], "inputs": [1]}""", "Received both 'instances' and 'inputs'.")]
    [InlineData("""{"dataframe_split": [[1]]}""", "Dataframe split format must be a dictionary. Got a list.")]
    [InlineData("""{"dataframe_split": {"columns": ["x"]}}""", "must have 'data' field")]
    [InlineData("""{"dataframe_split": {"columns": ["x"], "data": [[1]], "dtype": "x"}}""", "must have 'data' field and optionally 'columns' and 'index' fields. Got 'dtype'.")]
    [InlineData("""{"dataframe_split": {"data": [[1]]}}""", "has no 'columns'")]
    [InlineData("""{"dataframe_split": {"columns": ["x", "x"], "data": [[1, 2]]}}""", "The column 'x' appears twice")]
    [InlineData("""{"dataframe_records": {"x": [1]}}""", "Dataframe records format must be a list of records. Got an object.")]
    [InlineData("""{"dataframe_records": [{"x": 1}, 2]}""", "dataframe_records must be a list of records; item 1 is 2, not an object.")]
    [InlineData("""{"inputs": "x"}""", "'inputs' must be a list of records or an object of columns. Got \"x\".")]
    public void Bad_json_envelopes_are_refused(string body, string message)
    {
        var error = Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(Encoding.UTF8.GetBytes(body), Json, s_oneColumn));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_of_different_lengths_are_refused()
    {
        var error = Refused("""{"inputs": {"age": [1, 2], "weight": [1, 2], "visits": [1], "rooms": [1, 2], "city": ["a", "b"], "member": [true, false]}}""");

        Assert.Contains("column 'visits' has 1, column 'age' has 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "no Content-Type")]
    [InlineData("application/x-www-form-urlencoded", "only supports the content types application/json and text/csv")]
    [InlineData("application/json; charset=latin-1", "only supports UTF-8")]
    [InlineData("application/json; format=tf-serving", "Unrecognized content type parameter 'format=tf-serving'")]
    [InlineData("text/csv; format=pandas-split", "Unrecognized content type parameter")]
    public void Unsupported_content_types_are_refused(string? contentType, string message)
    {
        Assert.Contains(message, Refused(SplitRow, contentType).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] json = [.. "{\"inputs\": [\""u8, 0xFF, 0xFE, .. "\"]}"u8];
        byte[] csv = [.. "city\n"u8, 0xC3, 0x28, .. "\n"u8];
        var text = ScoringSchema.From(new ModelSignature([new ColumnSpec("city", ColumnType.String)], []));

        Assert.Equal("The request body is not valid UTF-8.", Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(json, Json, text)).Message);
        Assert.Equal("The request body is not valid UTF-8.", Assert.Throws<MlopsException>(() => ScoringRequestParser.Parse(csv, Csv, text)).Message);
    }

    [Theory]
    [InlineData(ColumnType.Binary)]
    [InlineData(ColumnType.DateTime)]
    [InlineData("tensor")]
    public void A_signature_with_a_column_type_serving_cannot_take_is_refused_up_front(string type)
    {
        var error = Assert.Throws<MlopsException>(() => ScoringSchema.From(new ModelSignature([new ColumnSpec("x", ColumnType.Double), new ColumnSpec("y", type)], [])));

        Assert.Contains($"'y' has type '{type}'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Random batches written in each body format (split, records, instances, inputs as columns, CSV) read back to
    /// identical columns: the formats differ only in layout.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_format_of_the_same_random_data_gives_the_same_batch(int seed)
    {
        var random = new Random(seed);
        var rows = random.Next(1, 40);
        var names = s_schema.Count;
        var table = Enumerable.Range(0, rows).Select(_ => s_signature.Inputs.Select(c => RandomValue(random, c)).ToArray()).ToArray();

        var bodies = new List<(string ContentType, string Body)>
        {
            (Json, new JsonObject { ["dataframe_split"] = new JsonObject { ["columns"] = Names(), ["data"] = new JsonArray([.. table.Select(r => (JsonNode)new JsonArray([.. r.Select(v => v?.DeepClone())]))]) } }.ToJsonString()),
            (Json, new JsonObject { ["dataframe_records"] = Records(table, omitNulls: false) }.ToJsonString()),
            (Json, new JsonObject { ["instances"] = Records(table, omitNulls: true) }.ToJsonString()),
            (Json, new JsonObject { ["inputs"] = Columns(table) }.ToJsonString()),
            (Json, new JsonObject { ["params"] = new JsonObject { ["k"] = 1 }, ["inputs"] = Records(table, omitNulls: false) }.ToJsonString()),
            (Csv, ToCsv(table)),
        };

        var batches = bodies.Select(b => Parse(b.Body, b.ContentType)).ToList();

        Assert.Equal(names, s_signature.Inputs.Count);
        foreach (var batch in batches)
        {
            Assert.Equal(rows, batch.RowCount);
            foreach (var name in s_signature.Inputs.Select(c => c.Name))
            {
                Assert.Equal(Values(batches[0].Columns[name]), Values(batch.Columns[name]));
            }
        }

        Assert.Equal(table.Select(r => r[4]?.GetValue<string>()), Texts(batches[0], "city"));
    }

    private static JsonNode? RandomValue(Random random, ColumnSpec column)
    {
        var missing = random.Next(8) == 0;
        return column.Type switch
        {
            ColumnType.Boolean => JsonValue.Create(random.Next(2) == 0),
            ColumnType.String => missing ? null : JsonValue.Create(new string([.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => "ab ,\"\n\r\u00e9\u4e2d'"[random.Next(10)])])),
            ColumnType.Long or ColumnType.Integer => missing ? null : JsonValue.Create(random.Next(-1000, 1000)),
            _ => missing ? null : JsonValue.Create(Math.Round((random.NextDouble() - 0.5) * 1e4, random.Next(0, 6))),
        };
    }

    private static JsonArray Names() => [.. s_signature.Inputs.Select(c => (JsonNode)c.Name)];

    private static JsonArray Records(JsonNode?[][] table, bool omitNulls) =>
        [.. table.Select(row =>
        {
            var record = new JsonObject();
            for (var i = 0; i < row.Length; i++)
            {
                if (row[i] is not null || !omitNulls)
                {
                    record[s_signature.Inputs[i].Name] = row[i]?.DeepClone();
                }
            }

            return (JsonNode)record;
        })];

    private static JsonObject Columns(JsonNode?[][] table)
    {
        var columns = new JsonObject();
        for (var i = 0; i < s_signature.Inputs.Count; i++)
        {
            columns[s_signature.Inputs[i].Name] = new JsonArray([.. table.Select(r => r[i]?.DeepClone())]);
        }

        return columns;
    }

    private static string ToCsv(JsonNode?[][] table)
    {
        var csv = new StringBuilder(string.Join(',', s_signature.Inputs.Select(c => c.Name))).Append("\r\n");
        foreach (var row in table)
        {
            csv.AppendJoin(',', row.Select(v => v switch
            {
                null => "",
                JsonValue text when text.GetValueKind() == JsonValueKind.String => "\"" + text.GetValue<string>().Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
                JsonValue flag when flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False => flag.GetValue<bool>() ? "True" : "False",
                _ => v.ToJsonString(),
            })).Append("\r\n");
        }

        return csv.ToString();
    }

    private static object?[] Values(ScoringColumn column) => column switch
    {
        NumberColumn n => [.. n.Values.Select(v => (object)v.ToString("R", CultureInfo.InvariantCulture))],
        TextColumn t => [.. t.Values],
        BooleanColumn b => [.. b.Values.Select(v => (object)v)],
        _ => [],
    };
}
