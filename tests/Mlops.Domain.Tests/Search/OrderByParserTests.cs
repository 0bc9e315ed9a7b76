using Mlops.Domain.Common;
using Mlops.Domain.Search;

namespace Mlops.Domain.Tests.Search;

public class OrderByParserTests
{
    private static OrderBy ParseOne(string clause, SearchTarget? target = null) =>
        Assert.Single(OrderByParser.Parse([clause], target ?? SearchTarget.Runs));

    [Fact]
    public void Returns_an_empty_list_for_null()
    {
        Assert.Empty(OrderByParser.Parse(null, SearchTarget.Runs));
    }

    [Fact]
    public void Skips_blank_clauses()
    {
        Assert.Empty(OrderByParser.Parse(["", "  ", "\t"], SearchTarget.Runs));
    }

    [Fact]
    public void Orders_ascending_by_default()
    {
        Assert.Equal(new OrderBy(EntityKind.Metric, "acc", true), ParseOne("metrics.acc"));
    }

    [Theory]
    [InlineData("metrics.acc ASC", true)]
    [InlineData("metrics.acc asc", true)]
    [InlineData("metrics.acc DESC", false)]
    [InlineData("metrics.acc desc", false)]
    [InlineData("metrics.acc   Desc  ", false)]
    public void Reads_the_direction_in_any_case(string clause, bool ascending)
    {
        Assert.Equal(new OrderBy(EntityKind.Metric, "acc", ascending), ParseOne(clause));
    }

    [Theory]
    [InlineData("params.lr DESC", EntityKind.Param, "lr")]
    [InlineData("tags.team", EntityKind.Tag, "team")]
    [InlineData("attributes.start_time DESC", EntityKind.Attribute, "start_time")]
    [InlineData("start_time", EntityKind.Attribute, "start_time")]
    [InlineData("attr.created", EntityKind.Attribute, "start_time")]
    [InlineData("run_name", EntityKind.Attribute, "run_name")]
    [InlineData("attributes.end_time ASC", EntityKind.Attribute, "end_time")]
    [InlineData("status DESC", EntityKind.Attribute, "status")]
    public void Reads_each_kind_of_subject(string clause, EntityKind entity, string key)
    {
        var orderBy = ParseOne(clause);

        Assert.Equal(entity, orderBy.Entity);
        Assert.Equal(key, orderBy.Key);
    }

    [Theory]
    [InlineData("metrics.`my metric` DESC", EntityKind.Metric, "my metric", false)]
    [InlineData("params.`learning rate`", EntityKind.Param, "learning rate", true)]
    [InlineData("tags.\"mlflow.runName\" ASC", EntityKind.Tag, "mlflow.runName", true)]
    [InlineData("tags.`a b c`", EntityKind.Tag, "a b c", true)]
    public void Reads_quoted_keys_with_spaces(string clause, EntityKind entity, string key, bool ascending)
    {
        Assert.Equal(new OrderBy(entity, key, ascending), ParseOne(clause));
    }

    [Fact]
    public void Keeps_the_order_of_several_clauses()
    {
        var orderBy = OrderByParser.Parse(["metrics.acc DESC", "params.lr", "start_time ASC"], SearchTarget.Runs);

        Assert.Equal(
            [
                new OrderBy(EntityKind.Metric, "acc", false),
                new OrderBy(EntityKind.Param, "lr", true),
                new OrderBy(EntityKind.Attribute, "start_time", true),
            ],
            orderBy);
    }

    [Fact]
    public void Accepts_experiment_attributes_for_an_experiment_search()
    {
        var orderBy = OrderByParser.Parse(["name", "creation_time DESC", "last_update_time"], SearchTarget.Experiments);

        Assert.Equal(["name", "creation_time", "last_update_time"], orderBy.Select(o => o.Key));
        Assert.Equal([true, false, true], orderBy.Select(o => o.Ascending));
    }

    [Theory]
    [InlineData("foo.acc")]
    [InlineData("attributes.colour")]
    [InlineData("DESC")]
    [InlineData("metrics.acc DESCENDING")]
    [InlineData("metrics.acc DESC ASC")]
    [InlineData("metrics.acc, params.lr")]
    [InlineData("metrics.acc = 1")]
    [InlineData("metrics.acc or metrics.b")]
    [InlineData("metrics.a = 0 or metrics.b")]
    [InlineData("(metrics.acc)")]
    [InlineData("dataset.name")]
    [InlineData("metrics.")]
    [InlineData("metrics.`unterminated DESC")]
    public void Rejects_invalid_clauses(string clause)
    {
        var error = Assert.Throws<MlopsException>(() => OrderByParser.Parse([clause], SearchTarget.Runs));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Rejects_ordering_by_a_dataset_field_with_a_clear_message()
    {
        var error = Assert.Throws<MlopsException>(() => OrderByParser.Parse(["dataset.name DESC"], SearchTarget.Runs));

        Assert.Contains("dataset", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_metrics_for_an_experiment_search()
    {
        var error = Assert.Throws<MlopsException>(() => OrderByParser.Parse(["metrics.acc"], SearchTarget.Experiments));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }
}
