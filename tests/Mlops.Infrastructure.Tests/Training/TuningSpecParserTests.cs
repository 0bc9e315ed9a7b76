using Mlops.Application.UseCases.Optimization;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;
using Mlops.Domain.Training;
using Mlops.Infrastructure.Tests.Learning;
using Mlops.Infrastructure.Training;

namespace Mlops.Infrastructure.Tests.Training;

public sealed class TuningSpecParserTests
{
    private const string CornerNote = " (checked with every range at its low end and the first choice)";

    private readonly TuningSpecParser _parser = new();

    // ---------------------------------------------------------------- the sample spec

    [Fact]
    public void Reads_the_sample_tuning_spec()
    {
        var spec = _parser.Parse(SampleSpec());

        Assert.Equal("breast-cancer-lightgbm-tuning", spec.Name);
        Assert.Equal(StudyDirection.Maximize, spec.Direction);
        Assert.Equal(
            [
                new FloatDistribution("learning_rate", 0.01, 0.3, Log: true),
                new IntDistribution("number_of_leaves", 4, 64),
                new IntDistribution("minimum_example_count_per_leaf", 2, 50),
                new FloatDistribution("l2_regularization", 0.000001, 10, Log: true),
            ],
            spec.Space.Parameters);
        Assert.Equal(new TuneOptions(Trials: 20, Parallel: 2, Timeout: null, Sampler: "auto", Seed: 0, Pruner: "none"), spec.Options);
        Assert.Equal("breast-cancer", spec.Template.Experiment);
        Assert.Equal(TrainerKind.LightGbm, spec.Template.Trainer.Name);
        Assert.Equal(HyperparameterValue.FromInteger(100), spec.Template.Trainer.Hyperparameters["number_of_iterations"]);
        Assert.Equal("accuracy", spec.Template.Metrics.Optimize);
        Assert.Equal(new RegistrationSpec { Model = "breast-cancer-tuned", Alias = "champion" }, spec.Template.Register);
    }

    [Fact]
    public void Reads_every_tune_option()
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"],
            tune: "{trials: 50, parallel: 4, timeout: 15m, sampler: tpe, seed: 7, pruner: median, direction: minimize}"));

        Assert.Equal(new TuneOptions(Trials: 50, Parallel: 4, Timeout: TimeSpan.FromMinutes(15), Sampler: "tpe", Seed: 7, Pruner: "median"), spec.Options);
        Assert.Equal(StudyDirection.Minimize, spec.Direction);
    }

    [Fact]
    public void Uses_the_default_options_without_a_tune_section()
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"]));

        Assert.Equal(new TuneOptions(), spec.Options);
    }

    [Fact]
    public void Names_the_study_after_the_experiment_when_the_spec_has_no_name()
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"]).Replace("name: tuning-test\n", "", StringComparison.Ordinal));

        Assert.Equal("exp-tuning", spec.Name);
    }

    // ---------------------------------------------------------------- direction

    [Theory]
    [InlineData("binary", "accuracy", StudyDirection.Maximize)]
    [InlineData("binary", "auc", StudyDirection.Maximize)]
    [InlineData("binary", "f1", StudyDirection.Maximize)]
    [InlineData("binary", "log_loss", StudyDirection.Minimize)]
    [InlineData("multiclass", "macro_accuracy", StudyDirection.Maximize)]
    [InlineData("multiclass", "log_loss", StudyDirection.Minimize)]
    [InlineData("regression", "rmse", StudyDirection.Minimize)]
    [InlineData("regression", "mae", StudyDirection.Minimize)]
    [InlineData("regression", "r2", StudyDirection.Maximize)]
    public void Takes_the_direction_from_the_metric(string task, string metric, StudyDirection direction)
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"], metric: metric, task: task));

        Assert.Equal(direction, spec.Direction);
    }

    [Theory]
    [InlineData("binary", StudyDirection.Maximize)]
    [InlineData("regression", StudyDirection.Minimize)]
    public void Takes_the_direction_from_the_default_metric_of_the_task(string task, StudyDirection direction)
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"], metric: null, task: task));

        Assert.Equal(direction, spec.Direction);
    }

    [Theory]
    [InlineData("accuracy", "minimize", StudyDirection.Minimize)]
    [InlineData("accuracy", "min", StudyDirection.Minimize)]
    [InlineData("log_loss", "maximize", StudyDirection.Maximize)]
    [InlineData("log_loss", "max", StudyDirection.Maximize)]
    public void Lets_tune_direction_override_the_metric(string metric, string direction, StudyDirection expected)
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: $"{{direction: {direction}}}", metric: metric));

        Assert.Equal(expected, spec.Direction);
    }

    [Fact]
    public void Names_the_field_and_line_of_a_bad_direction()
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: "{direction: up}"));

        Assert.StartsWith("tune.direction: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("up", error.Message, StringComparison.Ordinal);
        Assert.Contains("(line 10)", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- ranges

    [Fact]
    public void Infers_an_int_range_from_integer_bounds()
    {
        var spec = _parser.Parse(Spec(["number_of_leaves: {low: 4, high: 64}"]));

        Assert.Equal(new IntDistribution("number_of_leaves", 4, 64), Assert.Single(spec.Space.Parameters));
    }

    [Theory]
    [InlineData("{low: 0.5, high: 3}")]
    [InlineData("{low: 1, high: 3.0}")]
    [InlineData("{low: 1, high: 3, step: 0.5}")]
    [InlineData("{low: 1e-1, high: 3}")]
    public void Infers_a_float_range_when_a_bound_or_the_step_is_not_an_integer(string range)
    {
        var spec = _parser.Parse(Spec([$"learning_rate: {range}"]));

        Assert.IsType<FloatDistribution>(Assert.Single(spec.Space.Parameters));
    }

    [Fact]
    public void Reads_bounds_log_and_step_of_a_float_range()
    {
        var spec = _parser.Parse(Spec([
            "learning_rate: {low: 1e-5, high: 0.3, log: true}",
            "minimum_example_count_per_leaf: {low: 2, high: 50, step: 4}",
        ]));

        Assert.Equal(
            [new FloatDistribution("learning_rate", 1e-5, 0.3, Log: true), new IntDistribution("minimum_example_count_per_leaf", 2, 50, Step: 4)],
            spec.Space.Parameters);
    }

    [Fact]
    public void Reads_a_float_range_with_a_step_and_an_int_range_with_a_log_scale()
    {
        var spec = _parser.Parse(Spec([
            "learning_rate: {low: 0.05, high: 0.5, step: 0.05}",
            "number_of_leaves: {low: 2, high: 1024, log: true}",
            "number_of_iterations: {low: 10, high: 500, log: false}",
        ]));

        Assert.Equal(
            [
                new FloatDistribution("learning_rate", 0.05, 0.5, Step: 0.05),
                new IntDistribution("number_of_leaves", 2, 1024, Log: true),
                new IntDistribution("number_of_iterations", 10, 500),
            ],
            spec.Space.Parameters);
    }

    [Fact]
    public void Lets_type_override_the_inferred_kind()
    {
        var spec = _parser.Parse(Spec([
            "learning_rate: {low: 1, high: 3, type: float}",
            "number_of_leaves: {low: 2, high: 64, type: int, step: 2}",
        ]));

        Assert.Equal(
            [new FloatDistribution("learning_rate", 1, 3), new IntDistribution("number_of_leaves", 2, 64, Step: 2)],
            spec.Space.Parameters);
    }

    [Fact]
    public void Keeps_fixed_hyperparameters_out_of_the_space()
    {
        var spec = _parser.Parse(Spec(["number_of_iterations: 100", "learning_rate: {low: 0.01, high: 0.3}", "number_of_leaves: 31"]));

        Assert.Equal("learning_rate", Assert.Single(spec.Space.Parameters).Name);
        Assert.Equal(HyperparameterValue.FromInteger(100), spec.Template.Trainer.Hyperparameters["number_of_iterations"]);
        Assert.Equal(HyperparameterValue.FromInteger(31), spec.Template.Trainer.Hyperparameters["number_of_leaves"]);
    }

    [Fact]
    public void Reads_ranges_from_a_flow_style_hyperparameter_map()
    {
        var text = Spec(["learning_rate: 0.1"]).Replace(
            "  hyperparameters:\n    learning_rate: 0.1\n",
            "  hyperparameters: {learning_rate: 0.1, number_of_leaves: {low: 2, high: 8}}\n",
            StringComparison.Ordinal);

        var spec = _parser.Parse(text);

        Assert.Equal(new IntDistribution("number_of_leaves", 2, 8), Assert.Single(spec.Space.Parameters));
        Assert.Equal(HyperparameterValue.FromNumber(0.1), spec.Template.Trainer.Hyperparameters["learning_rate"]);
    }

    // ---------------------------------------------------------------- choices

    [Fact]
    public void Reads_integer_choices_as_longs()
    {
        var spec = _parser.Parse(Spec(["number_of_leaves: {choices: [8, 16, 32]}"]));

        var choices = Assert.IsType<CategoricalDistribution>(Assert.Single(spec.Space.Parameters)).Choices;
        Assert.Equal([8L, 16L, 32L], choices);
        Assert.All(choices, c => Assert.IsType<long>(c));
    }

    [Fact]
    public void Reads_number_choices_as_doubles_or_longs_by_their_form()
    {
        var spec = _parser.Parse(Spec(["learning_rate: {choices: [0.05, 1.0, 2, 1e-3]}"]));

        var choices = Assert.IsType<CategoricalDistribution>(Assert.Single(spec.Space.Parameters)).Choices;
        Assert.Equal([typeof(double), typeof(double), typeof(long), typeof(double)], choices.Select(c => c.GetType()));
        Assert.Equal([0.05, 1.0, 2L, 1e-3], choices);
    }

    // A string or boolean choice shows its type in the trainer's message when the template is checked with it.
    [Theory]
    [InlineData("\"0.1\"", "got \"0.1\"")]
    [InlineData("'0.1'", "got \"0.1\"")]
    [InlineData("fast", "got \"fast\"")]
    [InlineData("true", "got true")]
    [InlineData("false", "got false")]
    public void Reads_quoted_and_word_choices_as_text_and_true_or_false_as_booleans(string choice, string shown)
    {
        var error = AssertInvalid(Spec([$"learning_rate: {{choices: [{choice}, 0.2]}}"]));

        Assert.StartsWith("trainer.hyperparameters.learning_rate: expected a number greater than 0, " + shown, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_every_choice_against_the_trainer()
    {
        var error = AssertInvalid(Spec(["learning_rate: {choices: [0.1, fast, true]}"]));

        Assert.Contains("trainer.hyperparameters.learning_rate", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"fast\"", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- errors in ranges and choices

    [Fact]
    public void Rejects_a_spec_without_ranges()
    {
        var error = AssertInvalid(Spec(["learning_rate: 0.1", "number_of_leaves: 31"]));

        Assert.Equal("trainer.hyperparameters: a tuning spec needs at least one range ({low: .., high: ..}) or choice list ({choices: [..]}).", error.Message);
    }

    [Fact]
    public void Rejects_a_spec_without_hyperparameters()
    {
        var error = AssertInvalid("dataset: {path: d.csv, label: y}\ntask: binary\ntrainer: {name: lightgbm}\ntune: {trials: 5}\n");

        Assert.StartsWith("trainer.hyperparameters: a tuning spec needs at least one range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_unknown_range_field_with_its_line()
    {
        var error = AssertInvalid(Spec(["number_of_iterations: 10", "number_of_leaves:", "  low: 2", "  hihg: 64"]));

        Assert.Equal("trainer.hyperparameters.number_of_leaves.hihg: unknown range field; use low, high, log, step, type, or choices (line 12).", error.Message);
    }

    [Theory]
    [InlineData("{high: 64}")]
    [InlineData("{low: 2}")]
    [InlineData("{log: true}")]
    public void Rejects_a_range_without_low_or_high(string range)
    {
        var error = AssertInvalid(Spec([$"number_of_leaves: {range}"]));

        Assert.Equal("trainer.hyperparameters.number_of_leaves: a range needs low and high (line 9).", error.Message);
    }

    [Theory]
    [InlineData("{low: 64, high: 4}", "low (64) is greater than high (4)")]
    [InlineData("{low: 0.5, high: 0.1}", "low (0.5) is greater than high (0.1)")]
    [InlineData("{low: 0, high: 1, log: true}", "a log scale needs low > 0 (got 0)")]
    [InlineData("{low: -0.5, high: 1, log: true}", "a log scale needs low > 0 (got -0.5)")]
    [InlineData("{low: 0.1, high: 1, step: 0}", "step must be a positive number")]
    [InlineData("{low: 2, high: 8, step: -2}", "step must be a positive integer")]
    [InlineData("{low: 0.1, high: 1, step: 0.1, log: true}", "step and log cannot be combined")]
    [InlineData("{choices: []}", "choices must not be empty")]
    [InlineData("{choices: [1, 1.0]}", "choices must be distinct")]
    public void Rejects_a_range_the_search_space_refuses_naming_the_parameter(string range, string problem)
    {
        var error = AssertInvalid(Spec([$"learning_rate: {range}"]));

        Assert.Equal($"search space: parameter 'learning_rate': {problem}", error.Message);
    }

    [Theory]
    [InlineData("{low: 1, high: 2, type: bool}", "learning_rate.type: expected int or float, got \"bool\"")]
    [InlineData("{low: 0.5, high: 2, type: int}", "learning_rate.low: expected an integer, got \"0.5\"")]
    [InlineData("{low: 1, high: 2, step: 0.5, type: int}", "learning_rate.step: expected an integer, got \"0.5\"")]
    [InlineData("{low: fast, high: 2}", "learning_rate.low: expected a number, got \"fast\"")]
    [InlineData("{low: 0.1, high: .inf}", "learning_rate.high: expected a number, got \".inf\"")]
    [InlineData("{low: 0.1, high: 2, log: maybe}", "learning_rate.log: expected true or false, got \"maybe\"")]
    [InlineData("{low: [1], high: 2}", "learning_rate.low: expected a single value")]
    [InlineData("{choices: [0.1, 0.2], low: 1}", "learning_rate: a choice list is {choices: [a, b, ...]} with nothing else")]
    [InlineData("{choices: 0.1}", "learning_rate: a choice list is {choices: [a, b, ...]} with nothing else")]
    [InlineData("{choices: [0.1, [0.2]]}", "learning_rate.choices: expected a single value")]
    public void Rejects_a_malformed_range_naming_the_field_and_line(string range, string problem)
    {
        var error = AssertInvalid(Spec([$"learning_rate: {range}"]));

        Assert.Equal($"trainer.hyperparameters.{problem} (line 9).", error.Message);
    }

    // ---------------------------------------------------------------- errors in the tune section

    [Fact]
    public void Rejects_an_unknown_tune_field_and_lists_the_known_ones()
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: "\n  trials: 5\n  trails: 6"));

        Assert.Equal("tune.trails: unknown field; use trials, parallel, timeout, sampler, seed, pruner, direction (line 12).", error.Message);
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    public void Reads_a_timeout_in_seconds_minutes_or_hours(string timeout, int seconds)
    {
        var spec = _parser.Parse(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: $"{{timeout: {timeout}}}"));

        Assert.Equal(TimeSpan.FromSeconds(seconds), spec.Options.Timeout);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1.5h")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("10d")]
    [InlineData("m")]
    [InlineData("15 m")]
    [InlineData("\"\"")]
    public void Rejects_a_timeout_that_is_not_a_whole_number_of_seconds_minutes_or_hours(string timeout)
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: $"{{timeout: {timeout}}}"));

        Assert.StartsWith("tune.timeout: expected a duration such as 90s, 15m or 2h, got \"", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("\" (line 10).", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trials: many", "tune.trials: expected an integer, got \"many\" (line 10).")]
    [InlineData("parallel: 2.5", "tune.parallel: expected an integer, got \"2.5\" (line 10).")]
    [InlineData("seed: x", "tune.seed: expected an integer, got \"x\" (line 10).")]
    [InlineData("sampler: [tpe]", "tune.sampler: expected a single value (line 10).")]
    public void Rejects_a_tune_value_of_the_wrong_kind(string field, string message)
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: $"{{{field}}}"));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("trials")]
    [InlineData("parallel")]
    public void Rejects_a_count_that_does_not_fit_in_an_integer(string field)
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: $"{{{field}: 4294967297}}"));

        Assert.StartsWith($"tune.{field}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_tune_section_that_is_not_a_mapping()
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], tune: "20"));

        Assert.Equal("tune: expected a mapping (line 10).", error.Message);
    }

    // ---------------------------------------------------------------- the trainer's own checks

    [Fact]
    public void Rejects_a_range_on_a_hyperparameter_the_trainer_does_not_know_with_the_trainer_message()
    {
        var error = AssertInvalid(Spec(["number_of_trees: {low: 10, high: 100}"]));

        Assert.StartsWith(
            "trainer.hyperparameters.number_of_trees: lightgbm has no hyperparameter \"number_of_trees\"; the known ones are number_of_iterations, learning_rate, number_of_leaves, minimum_example_count_per_leaf, l1_regularization, l2_regularization",
            error.Message,
            StringComparison.Ordinal);
        Assert.EndsWith(CornerNote, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("number_of_leaves: {low: 2.5, high: 64}", "number_of_leaves: expected an integer of at least 2, got 2.5")]
    [InlineData("number_of_leaves: {low: 1, high: 64}", "number_of_leaves: expected an integer of at least 2, got 1")]
    [InlineData("number_of_leaves: {choices: [0.5, 8]}", "number_of_leaves: expected an integer of at least 2, got 0.5")]
    [InlineData("learning_rate: {low: 0, high: 0.3}", "learning_rate: expected a number greater than 0, got 0")]
    public void Rejects_a_range_whose_low_end_the_trainer_refuses_with_the_trainer_message(string range, string message)
    {
        var error = AssertInvalid(Spec([range]));

        Assert.StartsWith("trainer.hyperparameters." + message, error.Message, StringComparison.Ordinal);
        Assert.EndsWith(CornerNote, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("number_of_leaves: {low: 4.0, high: 64.0}")]
    [InlineData("number_of_leaves: {low: 4, high: 64, type: float}")]
    [InlineData("number_of_leaves: {low: 2, high: 3000000000}")]
    public void Rejects_a_range_of_the_wrong_type_or_beyond_the_trainer_limits(string range)
    {
        var error = AssertInvalid(Spec([range]));

        Assert.StartsWith("trainer.hyperparameters.number_of_leaves: expected an integer of at least 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Points_a_trainer_error_at_the_line_of_the_range_in_the_spec()
    {
        var error = AssertInvalid(Spec(["number_of_leaves: {low: 1, high: 64}", "number_of_iterations: 10", "learning_rate: 0.1"]));

        Assert.StartsWith("trainer.hyperparameters.number_of_leaves: expected an integer of at least 2, got 1 (line 9)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_other_training_spec_errors_too()
    {
        var error = AssertInvalid(Spec(["learning_rate: {low: 0.01, high: 0.3}"], metric: "rmse"));

        Assert.StartsWith("metrics.optimize: \"rmse\" is not a binary metric", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- trial specs

    [Fact]
    public void Writes_a_trial_spec_with_the_values_the_run_name_and_no_registration()
    {
        var values = new Dictionary<string, object> { ["learning_rate"] = 0.05, ["number_of_leaves"] = 17L, ["minimum_example_count_per_leaf"] = 3L };

        var text = _parser.TrialSpec(SampleSpec(), values, "breast-cancer-lightgbm-tuning-trial-3");
        var trial = TrainingSpecParser.Parse(text);

        Assert.Equal("breast-cancer-lightgbm-tuning-trial-3", trial.Name);
        Assert.Null(trial.Register);
        Assert.Equal("breast-cancer", trial.Experiment);
        Assert.Equal("../data/breast_cancer.csv", trial.Dataset.Path);
        Assert.Equal("../data/breast_cancer.folds.csv", trial.Dataset.FoldsFile);
        Assert.Equal(TrainingTask.BinaryClassification, trial.Task);
        Assert.Equal(TrainerKind.LightGbm, trial.Trainer.Name);
        Assert.Equal(
            new Dictionary<string, HyperparameterValue>
            {
                ["number_of_iterations"] = HyperparameterValue.FromInteger(100),
                ["learning_rate"] = HyperparameterValue.FromNumber(0.05),
                ["number_of_leaves"] = HyperparameterValue.FromInteger(17),
                ["minimum_example_count_per_leaf"] = HyperparameterValue.FromInteger(3),
            },
            trial.Trainer.Hyperparameters);
        Assert.Equal(new ValidationSpec { Method = ValidationMethod.KFold, Seed = 42 }, trial.Validation);
        Assert.Equal("accuracy", trial.Metrics.Optimize);
    }

    [Fact]
    public void Leaves_a_range_without_a_value_out_of_the_trial_spec()
    {
        var trial = TrainingSpecParser.Parse(_parser.TrialSpec(SampleSpec(), new Dictionary<string, object> { ["learning_rate"] = 0.2 }, "t"));

        Assert.Equal(["learning_rate", "number_of_iterations"], trial.Trainer.Hyperparameters.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-5)]
    [InlineData(0.30000000000000004)]
    [InlineData(1e20)]
    [InlineData(123.456)]
    public void Writes_a_float_value_so_that_it_reads_back_as_the_same_number(double value)
    {
        var text = _parser.TrialSpec(SampleSpec(), new Dictionary<string, object> { ["learning_rate"] = value }, "t");

        Assert.Equal(HyperparameterValue.FromNumber(value), TrainingSpecParser.Parse(text).Trainer.Hyperparameters["learning_rate"]);
    }

    [Theory]
    [InlineData("trial 7: \"lr=0.1\" # not a comment")]
    [InlineData("true")]
    [InlineData("123")]
    [InlineData("- dash")]
    public void Writes_any_run_name_as_text(string runName)
    {
        var trial = TrainingSpecParser.Parse(_parser.TrialSpec(SampleSpec(), new Dictionary<string, object> { ["learning_rate"] = 0.1 }, runName));

        Assert.Equal(runName, trial.Name);
    }

    [Fact]
    public void Adds_a_run_name_to_a_spec_without_one()
    {
        var text = Spec(["learning_rate: {low: 0.01, high: 0.3}"]).Replace("name: tuning-test\n", "", StringComparison.Ordinal);

        var trial = TrainingSpecParser.Parse(_parser.TrialSpec(text, new Dictionary<string, object> { ["learning_rate"] = 0.1 }, "trial-0"));

        Assert.Equal("trial-0", trial.Name);
    }

    [Theory]
    [InlineData("0.5", "got \"0.5\"")]
    [InlineData(true, "got true")]
    public void Writes_text_and_boolean_values_with_their_type(object value, string shown)
    {
        var text = _parser.TrialSpec(SampleSpec(), new Dictionary<string, object> { ["learning_rate"] = value }, "t");

        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.Parse(text));
        Assert.StartsWith("trainer.hyperparameters.learning_rate: expected a number greater than 0, " + shown, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_a_trial_spec_for_every_point_of_the_space_the_parser_returns()
    {
        var spec = _parser.Parse(SampleSpec());
        var high = spec.Space.Parameters.ToDictionary(p => p.Name, p => p switch
        {
            FloatDistribution f => f.ToExternal(f.High),
            IntDistribution i => i.ToExternal(i.High),
            _ => throw new InvalidOperationException(p.Name),
        }, StringComparer.Ordinal);

        var trial = TrainingSpecParser.Parse(_parser.TrialSpec(SampleSpec(), high, "high"));

        Assert.Equal(HyperparameterValue.FromNumber(0.3), trial.Trainer.Hyperparameters["learning_rate"]);
        Assert.Equal(HyperparameterValue.FromInteger(64), trial.Trainer.Hyperparameters["number_of_leaves"]);
        Assert.Equal(HyperparameterValue.FromInteger(50), trial.Trainer.Hyperparameters["minimum_example_count_per_leaf"]);
    }

    // ---------------------------------------------------------------- helpers

    private static string SampleSpec() =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(SampleData.PathOf("breast_cancer.csv"))!, "..", "specs", "breast-cancer-lightgbm-tune.yaml"));

    /// <summary>
    /// A lightgbm tuning spec. Lines: 1 name, 2 experiment, 3 dataset, 4 task, 5 metrics (left out when
    /// <paramref name="metric"/> is null, shifting the rest up), 6 trainer, 7 trainer name, 8 hyperparameters,
    /// 9 onwards one per hyperparameter line, then the tune section.
    /// </summary>
    private static string Spec(string[] hyperparameters, string? tune = null, string? metric = "accuracy", string task = "binary")
    {
        var lines = new List<string> { "name: tuning-test", "experiment: exp", "dataset: {path: data/train.csv, label: label}", "task: " + task };
        if (metric is not null)
        {
            lines.Add($"metrics: {{optimize: {metric}}}");
        }

        lines.AddRange(["trainer:", "  name: lightgbm", "  hyperparameters:"]);
        lines.AddRange(hyperparameters.Select(h => "    " + h));
        if (tune is not null)
        {
            lines.Add("tune: " + tune);
        }

        return string.Join('\n', lines) + "\n";
    }

    private MlopsException AssertInvalid(string text)
    {
        var error = Assert.Throws<MlopsException>(() => _parser.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }
}
