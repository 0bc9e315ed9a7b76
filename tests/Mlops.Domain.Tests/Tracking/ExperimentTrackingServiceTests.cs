using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Domain.Tests.Tracking;

public class ExperimentTrackingServiceTests
{
    private const string RunId = "0123456789abcdef0123456789abcdef";

    private static MlopsException Invalid(Action action)
    {
        var error = Assert.Throws<MlopsException>(action);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    private static Metric MetricNamed(string key) => new(key, 1.0, 1000, 0);

    private static LogBatch Batch(int metrics = 0, int parameters = 0, int tags = 0) => new(
        RunId,
        Enumerable.Range(0, metrics).Select(i => new Metric("m", i, 1000, i)).ToList(),
        Enumerable.Range(0, parameters).Select(i => new Param($"p{i}", "v")).ToList(),
        Enumerable.Range(0, tags).Select(i => new Tag($"t{i}", "v")).ToList());

    [Theory]
    [InlineData("acc")]
    [InlineData("ACC_1")]
    [InlineData("val-loss")]
    [InlineData("train.loss")]
    [InlineData("my metric")]
    [InlineData("eval/accuracy")]
    [InlineData("a/b/c.d-e_f g")]
    [InlineData("...")]
    [InlineData(".hidden")]
    [InlineData("0")]
    public void Accepts_keys_made_of_letters_digits_and_the_allowed_punctuation(string key)
    {
        ExperimentTrackingService.ValidateMetricKey(key);
        ExperimentTrackingService.ValidateParamKey(key);
        ExperimentTrackingService.ValidateTagKey(key);
    }

    [Fact]
    public void Accepts_a_key_of_exactly_250_characters()
    {
        ExperimentTrackingService.ValidateMetricKey(new string('k', 250));
    }

    [Theory]
    [InlineData("acc!")]
    [InlineData("a@b")]
    [InlineData("a\\b")]
    [InlineData("a:b")]
    [InlineData("a*b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a%2e")]
    public void Rejects_keys_with_characters_outside_the_grammar(string key)
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateMetricKey(key, "metrics[0].key"));

        Assert.Contains("metrics[0].key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/../b")]
    [InlineData("../etc")]
    [InlineData("a/..")]
    [InlineData("a/./b")]
    [InlineData("/abs")]
    [InlineData("trailing/")]
    [InlineData("a//b")]
    [InlineData("/")]
    public void Rejects_keys_that_are_not_normal_relative_paths(string key)
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateParamKey(key, "params[2].key"));

        Assert.Contains("params[2].key", error.Message, StringComparison.Ordinal);
        Assert.Contains("file paths", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Rejects_an_empty_key(string? key)
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateTagKey(key, "tags[1].key"));

        Assert.Contains("'tags[1].key'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_key_longer_than_250_characters()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateMetricKey(new string('k', 251)));

        Assert.Contains("251", error.Message, StringComparison.Ordinal);
        Assert.Contains("250", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_key_with_a_trailing_newline()
    {
        Invalid(() => ExperimentTrackingService.ValidateMetricKey("acc\n"));
    }

    [Fact]
    public void Accepts_a_param_value_of_exactly_6000_characters()
    {
        ExperimentTrackingService.ValidateParam(new Param("p", new string('v', 6000)));
    }

    [Fact]
    public void Rejects_a_param_value_longer_than_6000_characters()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateParam(new Param("p", new string('v', 6001)), "params[0]"));

        Assert.Contains("params[0].value", error.Message, StringComparison.Ordinal);
        Assert.Contains("6000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_a_tag_value_of_exactly_5000_characters()
    {
        ExperimentTrackingService.ValidateTag(new Tag("t", new string('v', 5000)));
        ExperimentTrackingService.ValidateExperimentTag(new Tag("t", new string('v', 5000)));
    }

    [Fact]
    public void Rejects_a_tag_value_longer_than_5000_characters()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateTag(new Tag("t", new string('v', 5001)), "tags[4]"));

        Assert.Contains("tags[4].value", error.Message, StringComparison.Ordinal);
        Assert.Contains("5000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_experiment_tag_value_longer_than_5000_characters()
    {
        Invalid(() => ExperimentTrackingService.ValidateExperimentTag(new Tag("t", new string('v', 5001))));
    }

    [Fact]
    public void Rejects_a_null_tag_value()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateTag(new Tag("t", null!), "tags[0]"));

        Assert.Contains("tags[0].value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_an_empty_param_value()
    {
        ExperimentTrackingService.ValidateParam(new Param("p", ""));
    }

    [Fact]
    public void Rejects_a_negative_metric_timestamp()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateMetric(new Metric("m", 1, -1, 0), "metrics[7]"));

        Assert.Contains("metrics[7].timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_nan_and_infinite_metric_values_and_negative_steps()
    {
        ExperimentTrackingService.ValidateMetric(new Metric("m", double.NaN, 0, -5));
        ExperimentTrackingService.ValidateMetric(new Metric("m", double.PositiveInfinity, 0, 0));
        ExperimentTrackingService.ValidateMetric(new Metric("m", double.NegativeInfinity, 0, 0));
    }

    [Fact]
    public void Accepts_a_batch_at_every_limit()
    {
        ExperimentTrackingService.ValidateBatch(Batch(metrics: 1000));
        ExperimentTrackingService.ValidateBatch(Batch(parameters: 100));
        ExperimentTrackingService.ValidateBatch(Batch(tags: 100));
        ExperimentTrackingService.ValidateBatch(Batch(metrics: 800, parameters: 100, tags: 100));
    }

    [Theory]
    [InlineData(1001, 0, 0, "1000 metrics")]
    [InlineData(0, 101, 0, "100 params")]
    [InlineData(0, 0, 101, "100 tags")]
    [InlineData(801, 100, 100, "1000 metrics, params and tags in total")]
    [InlineData(1000, 1, 0, "in total")]
    public void Rejects_a_batch_over_a_limit_with_limit_exceeded(int metrics, int parameters, int tags, string expected)
    {
        var error = Assert.Throws<MlopsException>(() => ExperimentTrackingService.ValidateBatch(Batch(metrics, parameters, tags)));

        Assert.Equal(ErrorKind.LimitExceeded, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_metric_index_of_an_invalid_key()
    {
        var batch = LogBatch.OfMetrics(RunId, MetricNamed("a"), MetricNamed("b"), MetricNamed("c"), MetricNamed("bad!"));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("metrics[3].key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_metric_index_of_a_negative_timestamp_after_valid_points_with_the_same_key()
    {
        var points = Enumerable.Range(0, 5).Select(i => new Metric("loss", i, 1000, i)).Append(new Metric("loss", 9, -1, 9)).ToArray();

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(LogBatch.OfMetrics(RunId, points)));

        Assert.Contains("metrics[5].timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_first_metric_index_of_an_invalid_key_repeated_in_a_batch()
    {
        var batch = LogBatch.OfMetrics(RunId, MetricNamed("ok"), MetricNamed("bad!"), MetricNamed("bad!"), MetricNamed(""));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("metrics[1].key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_empty_metric_key_after_valid_points()
    {
        var batch = LogBatch.OfMetrics(RunId, MetricNamed("ok"), MetricNamed("ok"), MetricNamed(""));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("metrics[2].key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_param_index_of_a_too_long_value()
    {
        var batch = LogBatch.OfParams(RunId, new Param("a", "1"), new Param("b", new string('x', 6001)));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("params[1].value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_tag_index_of_an_empty_key()
    {
        var batch = LogBatch.OfTags(RunId, new Tag("ok", "1"), new Tag("", "2"));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("tags[1].key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void De_duplicates_a_param_repeated_with_the_same_value()
    {
        var batch = LogBatch.OfParams(RunId, new Param("lr", "0.1"), new Param("bs", "32"), new Param("lr", "0.1"));

        var validated = ExperimentTrackingService.ValidateBatch(batch);

        Assert.Equal([new Param("lr", "0.1"), new Param("bs", "32")], validated.Params);
    }

    [Fact]
    public void Returns_the_same_batch_when_nothing_is_duplicated()
    {
        var batch = new LogBatch(RunId, [MetricNamed("m")], [new Param("lr", "0.1")], [new Tag("t", "v")]);

        Assert.Same(batch, ExperimentTrackingService.ValidateBatch(batch));
    }

    [Fact]
    public void Rejects_a_param_repeated_with_a_different_value()
    {
        var batch = LogBatch.OfParams(RunId, new Param("lr", "0.1"), new Param("lr", "0.2"));

        var error = Invalid(() => ExperimentTrackingService.ValidateBatch(batch));

        Assert.Contains("'lr'", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Treats_param_keys_that_differ_only_in_case_as_different()
    {
        var batch = LogBatch.OfParams(RunId, new Param("LR", "0.1"), new Param("lr", "0.2"));

        Assert.Equal(2, ExperimentTrackingService.ValidateBatch(batch).Params.Count);
    }

    [Fact]
    public void Validates_the_run_id_of_a_batch()
    {
        Invalid(() => ExperimentTrackingService.ValidateBatch(new LogBatch("../x", [], [], [])));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("a")]
    [InlineData("run_1-2")]
    [InlineData("7")]
    public void Accepts_well_formed_run_ids(string runId)
    {
        ExperimentTrackingService.ValidateRunId(runId);
    }

    [Fact]
    public void Accepts_a_run_id_of_256_characters()
    {
        ExperimentTrackingService.ValidateRunId(new string('a', 256));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("_abc")]
    [InlineData("-abc")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("..")]
    [InlineData("a'; DROP TABLE runs; --")]
    public void Rejects_malformed_run_ids(string? runId)
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateRunId(runId));

        Assert.Contains("run id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_run_id_of_257_characters()
    {
        Invalid(() => ExperimentTrackingService.ValidateRunId(new string('a', 257)));
    }

    [Fact]
    public void Rejects_a_run_id_with_a_trailing_newline()
    {
        Invalid(() => ExperimentTrackingService.ValidateRunId("abc\n"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Rejects_an_empty_experiment_name(string? name)
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateExperimentName(name));

        Assert.Contains("experiment name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_an_experiment_name_of_256_characters()
    {
        ExperimentTrackingService.ValidateExperimentName(new string('e', 256));
    }

    [Fact]
    public void Rejects_an_experiment_name_longer_than_256_characters()
    {
        var error = Invalid(() => ExperimentTrackingService.ValidateExperimentName(new string('e', 257)));

        Assert.Contains("257", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_experiment_names_with_any_characters()
    {
        ExperimentTrackingService.ValidateExperimentName("Fraud model / v2 (étude) #1!");
    }

    [Fact]
    public void Rejects_a_run_name_longer_than_250_characters()
    {
        ExperimentTrackingService.ValidateRunName(null);
        ExperimentTrackingService.ValidateRunName(new string('r', 250));
        Invalid(() => ExperimentTrackingService.ValidateRunName(new string('r', 251)));
    }

    [Fact]
    public void Rejects_a_user_id_longer_than_256_characters()
    {
        ExperimentTrackingService.ValidateUserId(null);
        ExperimentTrackingService.ValidateUserId(new string('u', 256));
        Invalid(() => ExperimentTrackingService.ValidateUserId(new string('u', 257)));
    }

    [Fact]
    public void Param_changed_message_names_the_key_both_values_and_the_run()
    {
        var error = ExperimentTrackingService.ParamChanged(RunId, "lr", "0.1", "0.2");

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("key='lr'", error.Message, StringComparison.Ordinal);
        Assert.Contains("value='0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'0.2'", error.Message, StringComparison.Ordinal);
        Assert.Contains(RunId, error.Message, StringComparison.Ordinal);
    }
}
