using System.Security.Cryptography;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Learning.Data;

namespace Mlops.Infrastructure.Tests.Learning;

public sealed class CsvDatasetInspectorTests : IDisposable
{
    private static readonly HashSet<string> s_noText = [];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string content, string name = "data.csv")
    {
        var path = _temp.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }

    private static MlopsException Fails(string path, string label = "label", IReadOnlySet<string>? text = null)
    {
        var error = Assert.Throws<MlopsException>(() => CsvDatasetInspector.Inspect(path, ',', true, label, text ?? s_noText));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    [Fact]
    public void A_ragged_row_fails_with_its_row_and_line_number_and_the_field_counts()
    {
        var path = Write("a,b,label\n1,2,0\n3,4,1\n5,1\n6,7,0\n");

        var error = Fails(path);

        Assert.Contains("row 3 (line 4) has 2 fields; the header has 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_with_too_many_fields_also_fails_as_ragged()
    {
        var path = Write("a,b,label\n1,2,0,9\n");

        var error = Fails(path);

        Assert.Contains("row 1 (line 2) has 4 fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_in_a_numeric_column_fails_naming_the_row_line_column_and_value()
    {
        var path = Write("a,b,label\n1,2,0\n3,four,1\n");

        var error = Fails(path);

        Assert.Contains("row 2 (line 3), column 'b': 'four' is not a number", error.Message, StringComparison.Ordinal);
        Assert.Contains("dataset.categorical", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_numbers_count_blank_lines_that_row_numbers_skip()
    {
        var path = Write("a,label\n1,0\n\n2,1\nx,0\n");

        var error = Fails(path);

        Assert.Contains("row 3 (line 5), column 'a': 'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_very_long_bad_value_is_shortened_in_the_message()
    {
        var word = new string('z', 200);
        var path = Write($"a,label\n{word},0\n");

        var error = Fails(path);

        Assert.Contains(new string('z', 40) + "...", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(word, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_in_a_column_declared_as_text_are_accepted()
    {
        var path = Write("colour,label\nred,0\nblue,1\n");

        var (header, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", new HashSet<string> { "colour" });

        Assert.Equal(["colour", "label"], header);
        Assert.Equal(2, profile.Rows);
    }

    [Fact]
    public void A_missing_label_column_fails_listing_the_columns_the_file_has()
    {
        var path = Write("a,b,target\n1,2,0\n");

        var error = Fails(path, label: "label");

        Assert.StartsWith("dataset.label", error.Message, StringComparison.Ordinal);
        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
        Assert.Contains("a, b, target", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_label_values_fail_with_their_count_and_the_first_row()
    {
        var path = Write("a,label\n1,0\n2,\n3,1\n4,\n");

        var error = Fails(path);

        Assert.Contains("2 row(s) have no value in the label column 'label' (first at row 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_fields_may_hold_the_separator_and_doubled_quotes()
    {
        var path = Write("name,x,label\n\"Smith, John\",1,0\n\"say \"\"hi\"\", ok\",2,1\n\"Smith, John\",3,1\n");

        var (header, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", new HashSet<string> { "name" });

        Assert.Equal(["name", "x", "label"], header);
        Assert.Equal(3, profile.Rows);
        var name = profile.Columns.Single(c => c.Name == "name");
        Assert.False(name.Numeric);
        Assert.Equal(2, name.Distinct);
        var x = profile.Columns.Single(c => c.Name == "x");
        Assert.Equal(1, x.Min);
        Assert.Equal(3, x.Max);
    }

    [Fact]
    public void An_unterminated_quoted_field_fails_naming_the_line()
    {
        var path = Write("name,label\n\"open,0\n");

        var error = Fails(path, text: new HashSet<string> { "name" });

        Assert.Contains("line 2 has an unterminated quoted field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_separator_splits_fields_and_a_comma_is_then_just_a_character()
    {
        var path = Write("a;name;label\n1;x,y;0\n2;z;1\n");

        var (header, profile) = CsvDatasetInspector.Inspect(path, ';', true, "label", new HashSet<string> { "name" });

        Assert.Equal(["a", "name", "label"], header);
        Assert.Equal(2, profile.Columns.Single(c => c.Name == "name").Distinct);
    }

    [Fact]
    public void The_profile_has_rows_min_max_mean_std_missing_and_distinct_counts()
    {
        var path = Write("x,cat,label\n1,a,0\n3,b,1\n,a,0\n5,c,1\nNA,,1\n");

        var (_, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", new HashSet<string> { "cat" });

        Assert.Equal(5, profile.Rows);
        var x = profile.Columns.Single(c => c.Name == "x");
        Assert.True(x.Numeric);
        Assert.Equal(2, x.Missing);
        Assert.Equal(1, x.Min);
        Assert.Equal(5, x.Max);
        Assert.Equal(3, x.Mean!.Value, 12);
        Assert.Equal(2, x.StdDev!.Value, 12);
        Assert.Null(x.Distinct);
        var cat = profile.Columns.Single(c => c.Name == "cat");
        Assert.False(cat.Numeric);
        Assert.Equal(1, cat.Missing);
        Assert.Equal(3, cat.Distinct);
        Assert.Null(cat.Min);
        var label = profile.Columns.Single(c => c.Name == "label");
        Assert.Equal(0, label.Min);
        Assert.Equal(1, label.Max);
        Assert.Equal(0.6, label.Mean!.Value, 12);
        Assert.Equal(["x", "cat", "label"], profile.Columns.Select(c => c.Name));
    }

    [Fact]
    public void A_column_with_no_numbers_has_no_statistics()
    {
        var path = Write("x,label\n,0\n,1\n");

        var (_, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", s_noText);

        var x = profile.Columns.Single(c => c.Name == "x");
        Assert.Equal(2, x.Missing);
        Assert.Null(x.Min);
        Assert.Null(x.Max);
        Assert.Null(x.Mean);
        Assert.Null(x.StdDev);
    }

    [Fact]
    public void The_sha256_is_the_hash_of_the_whole_file()
    {
        var path = Write("a,label\n1,0\n2,1\n\n");

        var (_, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", s_noText);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), profile.Sha256);
    }

    [Fact]
    public void The_shipped_breast_cancer_data_profiles_569_rows_with_the_file_hash()
    {
        var path = SampleData.PathOf("breast_cancer.csv");

        var (header, profile) = CsvDatasetInspector.Inspect(path, ',', true, "label", s_noText);

        Assert.Equal(31, header.Length);
        Assert.Equal(569, profile.Rows);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), profile.Sha256);
        Assert.All(profile.Columns, c => Assert.Equal(0, c.Missing));
        var label = profile.Columns.Single(c => c.Name == "label");
        Assert.Equal(0, label.Min);
        Assert.Equal(1, label.Max);
        Assert.Equal(357.0 / 569, label.Mean!.Value, 9);
    }

    [Fact]
    public void Without_a_header_the_first_line_is_a_row_and_columns_are_numbered()
    {
        var path = Write("1,2,0\n3,4,1\n");

        var (header, profile) = CsvDatasetInspector.Inspect(path, ',', false, "column2", s_noText);

        Assert.Equal(["column0", "column1", "column2"], header);
        Assert.Equal(2, profile.Rows);
    }

    [Fact]
    public void A_missing_file_fails_naming_dataset_path()
    {
        var error = Fails(_temp.Combine("nope.csv"));

        Assert.StartsWith("dataset.path", error.Message, StringComparison.Ordinal);
        Assert.Contains("nope.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_without_rows_fails()
    {
        var error = Fails(Write("a,label\n"));

        Assert.Contains("no rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_named_twice_in_the_header_fails_naming_it()
    {
        var error = Fails(Write("a,a,label\n1,2,0\n"));

        Assert.Contains("'a' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_column_that_is_not_in_the_file_fails_naming_it()
    {
        var error = Fails(Write("a,label\n1,0\n"), text: new HashSet<string> { "colour" });

        Assert.Contains("'colour'", error.Message, StringComparison.Ordinal);
    }
}
