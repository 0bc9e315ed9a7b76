using Mlops.Domain.Common;
using Mlops.Domain.Search;

namespace Mlops.Domain.Tests.Search;

public class SearchFilterParserTests
{
    private static FilterExpression? Parse(string? filter) => SearchFilterParser.Parse(filter, SearchTarget.Runs);

    private static Comparison ParseComparison(string filter) => Assert.IsType<Comparison>(Parse(filter));

    private static MlopsException ParseError(string filter, SearchTarget? target = null)
    {
        var error = Assert.Throws<MlopsException>(() => SearchFilterParser.Parse(filter, target ?? SearchTarget.Runs));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    private static void AssertColumn(int column, string filter, SearchTarget? target = null)
    {
        var error = ParseError(filter, target);
        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void Returns_null_for_an_empty_or_blank_filter(string? filter)
    {
        Assert.Null(Parse(filter));
    }

    [Fact]
    public void Parses_the_mlflow_example_into_four_comparisons_joined_by_and()
    {
        var expression = Parse("metrics.acc > 0.9 and params.lr = '0.01' and tags.team LIKE 'vision%' and attributes.status = 'FINISHED'");

        var and = Assert.IsType<AndExpression>(expression);
        Assert.Equal(
            [
                new Comparison(EntityKind.Metric, "acc", ComparisonOperator.Greater, new NumberValue(0.9), 0),
                new Comparison(EntityKind.Param, "lr", ComparisonOperator.Equal, new StringValue("0.01"), 22),
                new Comparison(EntityKind.Tag, "team", ComparisonOperator.Like, new StringValue("vision%"), 45),
                new Comparison(EntityKind.Attribute, "status", ComparisonOperator.Equal, new StringValue("FINISHED"), 74),
            ],
            and.Operands);
    }

    [Theory]
    [InlineData("metric.acc > 1", EntityKind.Metric)]
    [InlineData("metrics.acc > 1", EntityKind.Metric)]
    [InlineData("param.acc = '1'", EntityKind.Param)]
    [InlineData("params.acc = '1'", EntityKind.Param)]
    [InlineData("parameter.acc = '1'", EntityKind.Param)]
    [InlineData("parameters.acc = '1'", EntityKind.Param)]
    [InlineData("tag.acc = '1'", EntityKind.Tag)]
    [InlineData("tags.acc = '1'", EntityKind.Tag)]
    [InlineData("METRICS.acc > 1", EntityKind.Metric)]
    [InlineData("Tags.acc = '1'", EntityKind.Tag)]
    public void Accepts_every_prefix_alias(string filter, EntityKind expected)
    {
        var comparison = ParseComparison(filter);

        Assert.Equal(expected, comparison.Entity);
        Assert.Equal("acc", comparison.Key);
    }

    [Theory]
    [InlineData("attribute.status = 'RUNNING'", "status")]
    [InlineData("attributes.status = 'RUNNING'", "status")]
    [InlineData("attr.status = 'RUNNING'", "status")]
    [InlineData("run.status = 'RUNNING'", "status")]
    [InlineData("status = 'RUNNING'", "status")]
    [InlineData("attributes.run_uuid = 'abc'", "run_id")]
    [InlineData("run_id = 'abc'", "run_id")]
    [InlineData("attributes.STATUS = 'RUNNING'", "status")]
    [InlineData("attributes.created > 5", "start_time")]
    public void Resolves_attribute_aliases_to_the_canonical_name(string filter, string expectedKey)
    {
        var comparison = ParseComparison(filter);

        Assert.Equal(EntityKind.Attribute, comparison.Entity);
        Assert.Equal(expectedKey, comparison.Key);
    }

    [Theory]
    [InlineData("dataset.name = 'mnist'", "name")]
    [InlineData("datasets.digest = 'abc'", "digest")]
    [InlineData("dataset.context = 'train'", "context")]
    public void Parses_dataset_fields(string filter, string expectedKey)
    {
        var comparison = ParseComparison(filter);

        Assert.Equal(EntityKind.Dataset, comparison.Entity);
        Assert.Equal(expectedKey, comparison.Key);
    }

    [Fact]
    public void Reads_a_bare_key_with_dots_dashes_slashes_and_colons()
    {
        var comparison = ParseComparison("tags.mlflow.source-git/commit:x = 'a'");

        Assert.Equal("mlflow.source-git/commit:x", comparison.Key);
    }

    [Fact]
    public void Reads_a_backtick_quoted_key_with_spaces()
    {
        var comparison = ParseComparison("metrics.`my metric` >= 1");

        Assert.Equal(new Comparison(EntityKind.Metric, "my metric", ComparisonOperator.GreaterOrEqual, new NumberValue(1), 0), comparison);
    }

    [Fact]
    public void Reads_a_double_quoted_key()
    {
        var comparison = ParseComparison("tags.\"mlflow.runName\" = 'brave-otter-1'");

        Assert.Equal(new Comparison(EntityKind.Tag, "mlflow.runName", ComparisonOperator.Equal, new StringValue("brave-otter-1"), 0), comparison);
    }

    [Fact]
    public void Reads_a_double_quoted_string_value()
    {
        var comparison = ParseComparison("params.optimizer = \"adam\"");

        Assert.Equal(new StringValue("adam"), comparison.Value);
    }

    [Theory]
    [InlineData("params.p = 'it''s'", "it's")]
    [InlineData("params.p = 'it\\'s'", "it's")]
    [InlineData("params.p = \"say \"\"hi\"\"\"", "say \"hi\"")]
    [InlineData("params.p = ''", "")]
    [InlineData("params.p = 'a and b or (c)'", "a and b or (c)")]
    public void Unescapes_quotes_inside_string_values(string filter, string expected)
    {
        Assert.Equal(new StringValue(expected), ParseComparison(filter).Value);
    }

    [Theory]
    [InlineData("metrics.m = 1", ComparisonOperator.Equal)]
    [InlineData("metrics.m == 1", ComparisonOperator.Equal)]
    [InlineData("metrics.m != 1", ComparisonOperator.NotEqual)]
    [InlineData("metrics.m <> 1", ComparisonOperator.NotEqual)]
    [InlineData("metrics.m < 1", ComparisonOperator.Less)]
    [InlineData("metrics.m <= 1", ComparisonOperator.LessOrEqual)]
    [InlineData("metrics.m > 1", ComparisonOperator.Greater)]
    [InlineData("metrics.m >= 1", ComparisonOperator.GreaterOrEqual)]
    [InlineData("metrics.m>=1", ComparisonOperator.GreaterOrEqual)]
    public void Parses_numeric_operators_on_metrics(string filter, ComparisonOperator expected)
    {
        Assert.Equal(expected, ParseComparison(filter).Operator);
    }

    [Theory]
    [InlineData("tags.t LIKE 'a%'", ComparisonOperator.Like)]
    [InlineData("tags.t like 'a%'", ComparisonOperator.Like)]
    [InlineData("tags.t ILIKE 'a%'", ComparisonOperator.ILike)]
    [InlineData("tags.t iLike 'a%'", ComparisonOperator.ILike)]
    [InlineData("tags.t NOT LIKE 'a%'", ComparisonOperator.NotLike)]
    [InlineData("tags.t not like 'a%'", ComparisonOperator.NotLike)]
    [InlineData("tags.t NOT ILIKE 'a%'", ComparisonOperator.NotILike)]
    [InlineData("tags.t = 'a'", ComparisonOperator.Equal)]
    [InlineData("tags.t != 'a'", ComparisonOperator.NotEqual)]
    public void Parses_string_operators_case_insensitively(string filter, ComparisonOperator expected)
    {
        var comparison = ParseComparison(filter);

        Assert.Equal(expected, comparison.Operator);
        Assert.IsType<StringValue>(comparison.Value);
    }

    [Fact]
    public void Parses_an_in_list()
    {
        var comparison = ParseComparison("attributes.status IN ('FINISHED', \"FAILED\",'KILLED')");

        Assert.Equal(ComparisonOperator.In, comparison.Operator);
        var list = Assert.IsType<ListValue>(comparison.Value);
        Assert.Equal(["FINISHED", "FAILED", "KILLED"], list.Values);
    }

    [Fact]
    public void Parses_a_not_in_list_with_one_element()
    {
        var comparison = ParseComparison("params.optimizer not in ('sgd')");

        Assert.Equal(ComparisonOperator.NotIn, comparison.Operator);
        Assert.Equal(["sgd"], Assert.IsType<ListValue>(comparison.Value).Values);
    }

    [Theory]
    [InlineData("metrics.acc IS NULL", ComparisonOperator.IsNull)]
    [InlineData("metrics.acc is null", ComparisonOperator.IsNull)]
    [InlineData("params.lr IS NOT NULL", ComparisonOperator.IsNotNull)]
    [InlineData("tags.team Is Not Null", ComparisonOperator.IsNotNull)]
    [InlineData("attributes.end_time IS NULL", ComparisonOperator.IsNull)]
    public void Parses_is_null_and_is_not_null_without_a_value(string filter, ComparisonOperator expected)
    {
        var comparison = ParseComparison(filter);

        Assert.Equal(expected, comparison.Operator);
        Assert.Null(comparison.Value);
    }

    [Theory]
    [InlineData("metrics.m > 0.5", 0.5)]
    [InlineData("metrics.m > -0.5", -0.5)]
    [InlineData("metrics.m > +2", 2.0)]
    [InlineData("metrics.m > .25", 0.25)]
    [InlineData("metrics.m > 1e3", 1000.0)]
    [InlineData("metrics.m > 1.5E-2", 0.015)]
    [InlineData("metrics.m > 42", 42.0)]
    public void Parses_number_literals(string filter, double expected)
    {
        Assert.Equal(new NumberValue(expected), ParseComparison(filter).Value);
    }

    [Theory]
    [InlineData("attributes.start_time > 1700000000000")]
    [InlineData("attributes.end_time <= 5")]
    [InlineData("start_time >= 0")]
    public void Treats_start_time_and_end_time_as_numbers(string filter)
    {
        Assert.IsType<NumberValue>(ParseComparison(filter).Value);
    }

    [Theory]
    [InlineData("attributes.status = 'RUNNING'")]
    [InlineData("attributes.run_name LIKE 'brave%'")]
    [InlineData("attributes.user_id = 'alice'")]
    [InlineData("attributes.artifact_uri ILIKE 'mlflow-artifacts:%'")]
    [InlineData("attributes.experiment_id = '1'")]
    [InlineData("attributes.lifecycle_stage IN ('active')")]
    public void Treats_the_other_run_attributes_as_strings(string filter)
    {
        Assert.IsNotType<NumberValue>(ParseComparison(filter).Value);
    }

    [Fact]
    public void Binds_and_tighter_than_or()
    {
        var expression = Parse("metrics.a > 1 or metrics.b > 2 and metrics.c > 3");

        var or = Assert.IsType<OrExpression>(expression);
        Assert.Equal(2, or.Operands.Count);
        Assert.Equal("a", Assert.IsType<Comparison>(or.Operands[0]).Key);
        var and = Assert.IsType<AndExpression>(or.Operands[1]);
        Assert.Equal(["b", "c"], and.Operands.Cast<Comparison>().Select(c => c.Key));
    }

    [Fact]
    public void Parentheses_override_precedence()
    {
        var expression = Parse("(metrics.a > 1 OR metrics.b > 2) AND metrics.c > 3");

        var and = Assert.IsType<AndExpression>(expression);
        var or = Assert.IsType<OrExpression>(and.Operands[0]);
        Assert.Equal(["a", "b"], or.Operands.Cast<Comparison>().Select(c => c.Key));
        Assert.Equal("c", Assert.IsType<Comparison>(and.Operands[1]).Key);
    }

    [Fact]
    public void Parses_nested_parentheses()
    {
        var expression = Parse("((tags.a = 'x' or (tags.b = 'y' and tags.c = 'z'))) and ((params.d = '1'))");

        var and = Assert.IsType<AndExpression>(expression);
        var or = Assert.IsType<OrExpression>(and.Operands[0]);
        Assert.Equal("a", Assert.IsType<Comparison>(or.Operands[0]).Key);
        var innerAnd = Assert.IsType<AndExpression>(or.Operands[1]);
        Assert.Equal(["b", "c"], innerAnd.Operands.Cast<Comparison>().Select(c => c.Key));
        Assert.Equal("d", Assert.IsType<Comparison>(and.Operands[1]).Key);
    }

    [Fact]
    public void Flattens_a_chain_of_ors_into_one_expression()
    {
        var or = Assert.IsType<OrExpression>(Parse("tags.a = '1' OR tags.b = '2' or tags.c = '3'"));

        Assert.Equal(3, or.Operands.Count);
    }

    [Fact]
    public void Accepts_keywords_in_any_case_and_extra_whitespace()
    {
        var expression = Parse("  metrics.a > 1\tAnD\n params.b IN ('x')   oR tags.c iS nOt NuLl  ");

        var or = Assert.IsType<OrExpression>(expression);
        Assert.IsType<AndExpression>(or.Operands[0]);
        Assert.Equal(ComparisonOperator.IsNotNull, Assert.IsType<Comparison>(or.Operands[1]).Operator);
    }

    [Fact]
    public void Does_not_read_a_word_that_starts_with_or_as_the_keyword()
    {
        AssertColumn(15, "metrics.a > 1 orange > 2");
    }

    [Fact]
    public void Reads_a_key_that_starts_with_a_keyword()
    {
        var and = Assert.IsType<AndExpression>(Parse("tags.order = '1' and tags.android = '2' and tags.inner = '3'"));

        Assert.Equal(["order", "android", "inner"], and.Operands.Cast<Comparison>().Select(c => c.Key));
    }

    [Fact]
    public void Records_the_position_of_each_comparison()
    {
        var and = Assert.IsType<AndExpression>(Parse("  metrics.a > 1 and (params.b = 'x')"));

        Assert.Equal([2, 21], and.Operands.Cast<Comparison>().Select(c => c.Position));
    }

    [Theory]
    [InlineData("foo.acc > 1", 1)]
    [InlineData("   foo.acc > 1", 4)]
    [InlineData("metrics.a > 1 and bogus.x = 'y'", 19)]
    public void Reports_the_column_of_an_unknown_prefix(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid entity type", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.acc 0.9", 13)]
    [InlineData("metrics.acc", 12)]
    [InlineData("params.lr foo 'x'", 11)]
    [InlineData("tags.t NOT 'x'", 12)]
    [InlineData("tags.t IS 'x'", 11)]
    public void Reports_the_column_of_a_missing_operator(string filter, int column)
    {
        AssertColumn(column, filter);
    }

    [Theory]
    [InlineData("params.lr = 'abc", 13)]
    [InlineData("params.lr = \"abc", 13)]
    [InlineData("metrics.`my metric > 1", 9)]
    [InlineData("tags.t IN ('a', 'b)", 17)]
    public void Reports_the_column_where_an_unterminated_string_starts(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("unterminated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(metrics.acc > 1", 1)]
    [InlineData("metrics.b > 2 and ((metrics.acc > 1)", 19)]
    [InlineData("(metrics.acc > 1 foo", 18)]
    public void Reports_the_column_of_a_missing_closing_parenthesis(string filter, int column)
    {
        AssertColumn(column, filter);
    }

    [Theory]
    [InlineData("params.lr = 0.01", 13)]
    [InlineData("tags.team = 5", 13)]
    [InlineData("attributes.status = 1", 21)]
    public void Reports_the_column_of_a_number_given_for_a_string(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a quoted string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.acc > '0.9'", 15)]
    [InlineData("attributes.start_time > '5'", 25)]
    public void Reports_the_column_of_a_string_given_for_a_number(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a number", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.acc LIKE '%'", 13)]
    [InlineData("metrics.acc ILIKE '%'", 13)]
    [InlineData("metrics.acc NOT LIKE '%'", 13)]
    [InlineData("metrics.acc IN ('1')", 13)]
    [InlineData("attributes.start_time NOT IN ('1')", 23)]
    [InlineData("attributes.end_time LIKE '1%'", 21)]
    public void Reports_the_column_of_a_string_operator_on_a_number(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("is numeric", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("params.lr > '1'", 11)]
    [InlineData("params.lr >= '1'", 11)]
    [InlineData("tags.t < 'a'", 8)]
    [InlineData("attributes.status <= 'a'", 19)]
    [InlineData("dataset.name > 'a'", 14)]
    public void Reports_the_column_of_an_ordering_operator_on_a_string(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("is a string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.acc > 1 foo", 17)]
    [InlineData("metrics.acc > 1)", 16)]
    [InlineData("metrics.acc > 1 and", 20)]
    [InlineData("metrics.acc > 1 or ", 20)]
    [InlineData("params.a = 'x' 'y'", 16)]
    public void Reports_the_column_of_trailing_garbage(string filter, int column)
    {
        AssertColumn(column, filter);
    }

    [Theory]
    [InlineData("attributes.foo = 'x'", 1)]
    [InlineData("foo = 'x'", 1)]
    [InlineData("metrics.a > 1 AND attr.colour = 'red'", 19)]
    public void Reports_the_column_of_an_unknown_attribute(string filter, int column)
    {
        var error = ParseError(filter);

        Assert.Contains($"column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid attribute key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_an_unknown_dataset_field()
    {
        var error = ParseError("dataset.size = '1'");

        Assert.Contains("column 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid dataset key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics. > 1", 9)]
    [InlineData("and = 'x'", 1)]
    [InlineData("> 1", 1)]
    [InlineData("()", 2)]
    [InlineData("metrics.a > 1 and ()", 20)]
    [InlineData("tags.t IN 'a'", 11)]
    [InlineData("tags.t IN ()", 12)]
    [InlineData("tags.t IN ('a' 'b')", 16)]
    [InlineData("metrics.a > 1e", 13)]
    [InlineData("metrics.a > abc", 13)]
    public void Reports_the_column_of_other_syntax_errors(string filter, int column)
    {
        AssertColumn(column, filter);
    }

    [Fact]
    public void Error_message_includes_the_filter_text()
    {
        var error = ParseError("metrics.acc >");

        Assert.Contains("Filter: metrics.acc >", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.acc > 1")]
    [InlineData("dataset.name = 'x'")]
    [InlineData("params.lr = '1'")]
    public void Experiment_search_rejects_run_only_prefixes(string filter)
    {
        var error = ParseError(filter, SearchTarget.Experiments);

        Assert.Contains("column 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("experiment search cannot filter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiment_search_accepts_names_tags_and_numeric_times()
    {
        var expression = SearchFilterParser.Parse("name LIKE 'proj-%' and tags.owner = 'me' and attributes.creation_time > 0", SearchTarget.Experiments);

        var and = Assert.IsType<AndExpression>(expression);
        Assert.Equal([EntityKind.Attribute, EntityKind.Tag, EntityKind.Attribute], and.Operands.Cast<Comparison>().Select(c => c.Entity));
        Assert.IsType<NumberValue>(((Comparison)and.Operands[2]).Value);
    }

    [Fact]
    public void Experiment_search_rejects_run_attributes()
    {
        AssertColumn(1, "attributes.status = 'RUNNING'", SearchTarget.Experiments);
    }
}
