using Mlops.Domain.Common;
using Mlops.Domain.Training;
using Mlops.Infrastructure.Training;

namespace Mlops.Infrastructure.Tests.Training;

public sealed class TrainingSpecParserTests
{
    private const string Example = """
        name: breast-cancer-lightgbm
        experiment: breast-cancer
        tags: {team: demo}
        dataset:
          path: samples/data/breast_cancer.csv
          label: label
          folds_file: samples/data/breast_cancer.folds.csv
        task: binary
        trainer:
          name: lightgbm
          hyperparameters: {number_of_iterations: 200, learning_rate: 0.05, number_of_leaves: 16}
        validation: {method: kfold, folds: 5, seed: 42}
        metrics: {optimize: auc}
        register: {model: breast-cancer, alias: champion}
        """;

    private const string ExampleAsJson = """
        {
          "name": "breast-cancer-lightgbm",
          "experiment": "breast-cancer",
          "tags": {"team": "demo"},
          "dataset": {
            "path": "samples/data/breast_cancer.csv",
            "label": "label",
            "folds_file": "samples/data/breast_cancer.folds.csv"
          },
          "task": "binary",
          "trainer": {
            "name": "lightgbm",
            "hyperparameters": {"number_of_iterations": 200, "learning_rate": 0.05, "number_of_leaves": 16}
          },
          "validation": {"method": "kfold", "folds": 5, "seed": 42},
          "metrics": {"optimize": "auc"},
          "register": {"model": "breast-cancer", "alias": "champion"}
        }
        """;

    private const string Minimal = """
        dataset:
          path: data/iris.csv
          label: species
        task: multiclass
        trainer:
          name: sdca
        """;

    [Fact]
    public void Reads_the_example_spec()
    {
        var spec = TrainingSpecParser.Parse(Example);

        Assert.Equal("breast-cancer-lightgbm", spec.Name);
        Assert.Equal("breast-cancer", spec.Experiment);
        Assert.Equal("demo", Assert.Single(spec.Tags, t => t.Key == "team").Value);
        Assert.Equal("samples/data/breast_cancer.csv", spec.Dataset.Path);
        Assert.Equal(DatasetFormat.Csv, spec.Dataset.Format);
        Assert.Equal("label", spec.Dataset.Label);
        Assert.Equal("samples/data/breast_cancer.folds.csv", spec.Dataset.FoldsFile);
        Assert.Equal(TrainingTask.BinaryClassification, spec.Task);
        Assert.Equal(TrainerKind.LightGbm, spec.Trainer.Name);
        Assert.Equal(HyperparameterValue.FromInteger(200), spec.Trainer.Hyperparameters["number_of_iterations"]);
        Assert.Equal(HyperparameterValue.FromNumber(0.05), spec.Trainer.Hyperparameters["learning_rate"]);
        Assert.Equal(HyperparameterValue.FromInteger(16), spec.Trainer.Hyperparameters["number_of_leaves"]);
        Assert.Equal(3, spec.Trainer.Hyperparameters.Count);
        Assert.Equal(ValidationMethod.KFold, spec.Validation.Method);
        Assert.Equal(5, spec.Validation.Folds);
        Assert.Equal(42, spec.Validation.Seed);
        Assert.Equal("auc", spec.Metrics.Optimize);
        Assert.Equal(new RegistrationSpec { Model = "breast-cancer", Alias = "champion" }, spec.Register);
    }

    [Fact]
    public void Reads_the_same_spec_written_as_json()
    {
        var yaml = TrainingSpecParser.Parse(Example);
        var json = TrainingSpecParser.Parse(ExampleAsJson);

        Assert.Equal(yaml.Name, json.Name);
        Assert.Equal(yaml.Tags, json.Tags);
        Assert.Equal(yaml.Dataset.Path, json.Dataset.Path);
        Assert.Equal(yaml.Dataset.Label, json.Dataset.Label);
        Assert.Equal(yaml.Dataset.FoldsFile, json.Dataset.FoldsFile);
        Assert.Equal(yaml.Trainer.Name, json.Trainer.Name);
        Assert.Equal(yaml.Trainer.Hyperparameters, json.Trainer.Hyperparameters);
        Assert.Equal(yaml.Validation, json.Validation);
        Assert.Equal(yaml.Metrics, json.Metrics);
        Assert.Equal(yaml.Register, json.Register);
    }

    [Fact]
    public void Reads_compact_single_line_json()
    {
        var spec = TrainingSpecParser.Parse("""{"dataset":{"path":"d.csv","label":"y","has_header":false,"features":["a","b"]},"task":"regression","trainer":{"name":"fastforest","hyperparameters":{"number_of_trees":50}}}""");

        Assert.Equal(TrainerKind.FastForest, spec.Trainer.Name);
        Assert.False(spec.Dataset.HasHeader);
        Assert.Equal(["a", "b"], spec.Dataset.Features);
    }

    [Fact]
    public void Applies_defaults_to_a_minimal_spec()
    {
        var spec = TrainingSpecParser.Parse(Minimal);

        Assert.Null(spec.Name);
        Assert.Equal("Default", spec.Experiment);
        Assert.Empty(spec.Tags);
        Assert.Null(spec.Dataset.Features);
        Assert.Empty(spec.Dataset.Categorical);
        Assert.Empty(spec.Dataset.Text);
        Assert.Empty(spec.Dataset.Ignore);
        Assert.Equal(',', spec.Dataset.Separator);
        Assert.True(spec.Dataset.HasHeader);
        Assert.Null(spec.Dataset.FoldsFile);
        Assert.Empty(spec.Trainer.Hyperparameters);
        Assert.Equal(new ValidationSpec { Method = ValidationMethod.KFold, HoldoutFraction = 0.2, Folds = 5, Seed = 42 }, spec.Validation);
        Assert.Equal("macro_accuracy", spec.Metrics.Optimize);
        Assert.Null(spec.Register);
    }

    [Theory]
    [InlineData("binary", "auc")]
    [InlineData("multiclass", "macro_accuracy")]
    [InlineData("regression", "rmse")]
    public void Defaults_the_metric_to_the_task_default(string task, string metric)
    {
        var spec = TrainingSpecParser.Parse(Spec(task: task));

        Assert.Equal(metric, spec.Metrics.Optimize);
    }

    [Fact]
    public void Treats_null_and_empty_optional_fields_as_unset()
    {
        var spec = TrainingSpecParser.Parse("""
            name: ~
            dataset: {path: d.csv, label: y, features: null, separator: }
            task: binary
            trainer: {name: lightgbm, hyperparameters: null}
            validation: {}
            metrics: {optimize: null}
            """);

        Assert.Null(spec.Name);
        Assert.Null(spec.Dataset.Features);
        Assert.Equal(',', spec.Dataset.Separator);
        Assert.Empty(spec.Trainer.Hyperparameters);
        Assert.Equal("auc", spec.Metrics.Optimize);
    }

    [Theory]
    [InlineData("lightgbm", "binary")]
    [InlineData("lightgbm", "multiclass")]
    [InlineData("lightgbm", "regression")]
    [InlineData("fasttree", "binary")]
    [InlineData("fasttree", "multiclass")]
    [InlineData("fasttree", "regression")]
    [InlineData("fastforest", "binary")]
    [InlineData("fastforest", "regression")]
    [InlineData("sdca", "binary")]
    [InlineData("sdca", "multiclass")]
    [InlineData("sdca", "regression")]
    [InlineData("lbfgs_logistic", "binary")]
    [InlineData("lbfgs_logistic", "multiclass")]
    [InlineData("lbfgs_poisson", "regression")]
    [InlineData("averaged_perceptron", "binary")]
    public void Reads_every_supported_trainer_and_task(string trainer, string task)
    {
        var spec = TrainingSpecParser.Parse(Spec(task: task, trainer: trainer));

        Assert.Equal(trainer, TrainingSpecNames.Of(spec.Trainer.Name));
        Assert.Equal(task, TrainingSpecNames.Of(spec.Task));
    }

    [Theory]
    [InlineData("lightgbm", "{number_of_iterations: 100, learning_rate: 0.1, number_of_leaves: 31, minimum_example_count_per_leaf: 20, l1_regularization: 0, l2_regularization: 0.5}")]
    [InlineData("fasttree", "{number_of_trees: 100, number_of_leaves: 20, minimum_example_count_per_leaf: 10, learning_rate: 0.2}")]
    [InlineData("fastforest", "{number_of_trees: 100, number_of_leaves: 20, minimum_example_count_per_leaf: 10}")]
    [InlineData("sdca", "{l2_regularization: 0.01, l1_regularization: 0, maximum_number_of_iterations: 50}")]
    [InlineData("lbfgs_logistic", "{l1_regularization: 1, l2_regularization: 1, optimization_tolerance: 1e-7, history_size: 20}")]
    [InlineData("averaged_perceptron", "{learning_rate: 1, number_of_iterations: 10}")]
    public void Reads_every_known_hyperparameter(string trainer, string hyperparameters)
    {
        var spec = TrainingSpecParser.Parse(Spec(trainer: trainer, trainerExtra: $", hyperparameters: {hyperparameters}"));

        Assert.Equal(TrainerCatalog.Hyperparameters(spec.Trainer.Name).Select(h => h.Name).Order(), spec.Trainer.Hyperparameters.Keys.Order());
    }

    [Fact]
    public void Types_scalars_by_their_yaml_form()
    {
        var spec = TrainingSpecParser.Parse("""
            dataset: {path: d.csv, label: y}
            task: regression
            trainer:
              name: lbfgs_poisson
              hyperparameters:
                history_size: 7
                optimization_tolerance: 1.0e-6
                l1_regularization: .5
                l2_regularization: 2.0
            """);

        var h = spec.Trainer.Hyperparameters;
        Assert.Equal(HyperparameterType.Integer, h["history_size"].Type);
        Assert.Equal(HyperparameterValue.FromNumber(1e-6), h["optimization_tolerance"]);
        Assert.Equal(HyperparameterValue.FromNumber(0.5), h["l1_regularization"]);
        Assert.Equal(HyperparameterValue.FromNumber(2.0), h["l2_regularization"]);
    }

    [Fact]
    public void Reads_column_roles_and_csv_options()
    {
        var spec = TrainingSpecParser.Parse("""
            dataset:
              path: mlflow-artifacts:/1/abc/artifacts/data/reviews.tsv
              label: sentiment
              features: [stars, city, review]
              categorical:
                - city
              text: [review]
              ignore: [id]
              separator: "\t"
              has_header: false
            task: binary
            trainer: {name: sdca}
            """);

        Assert.Equal(["stars", "city", "review"], spec.Dataset.Features);
        Assert.Equal(["city"], spec.Dataset.Categorical);
        Assert.Equal(["review"], spec.Dataset.Text);
        Assert.Equal(["id"], spec.Dataset.Ignore);
        Assert.Equal('\t', spec.Dataset.Separator);
        Assert.False(spec.Dataset.HasHeader);
        Assert.True(spec.Dataset.IsArtifactUri);
    }

    [Fact]
    public void Reads_holdout_validation()
    {
        var spec = TrainingSpecParser.Parse(Spec(extra: "validation: {method: holdout, holdout_fraction: 0.25, seed: 7}"));

        Assert.Equal(new ValidationSpec { Method = ValidationMethod.Holdout, HoldoutFraction = 0.25, Seed = 7 }, spec.Validation);
    }

    [Fact]
    public void Keeps_column_names_that_look_like_numbers_or_yaml_11_booleans_as_written()
    {
        var spec = TrainingSpecParser.Parse("""
            dataset: {path: d.csv, label: yes, features: [1.50, 007, on]}
            task: binary
            trainer: {name: lightgbm}
            """);

        Assert.Equal("yes", spec.Dataset.Label);
        Assert.Equal(["1.50", "007", "on"], spec.Dataset.Features);
    }

    [Fact]
    public void Resolves_anchors_and_aliases()
    {
        var spec = TrainingSpecParser.Parse("""
            dataset:
              path: d.csv
              label: y
              features: &columns [a, b]
              categorical: *columns
            task: binary
            trainer: {name: lightgbm}
            """);

        Assert.Equal(["a", "b"], spec.Dataset.Categorical);
    }

    // ---- errors: YAML syntax and document shape ----

    [Fact]
    public void Reports_malformed_yaml_with_its_line()
    {
        AssertError("""
            dataset:
              path: d.csv
              label: [y
            task: binary
            """, "training spec: malformed YAML after line 3, column 10 (an unclosed bracket or quote?)");
    }

    [Fact]
    public void Reports_bad_indentation_with_its_line()
    {
        AssertError("task: binary\n trainer: {name: lightgbm}\n", "training spec: malformed YAML at line 2");
    }

    [Fact]
    public void Reports_a_duplicate_key_with_its_line()
    {
        AssertError("""
            task: binary
            dataset: {path: d.csv, label: y}
            task: regression
            """, "training spec: malformed YAML at line 3, column 1: Duplicate key task");
    }

    [Theory]
    [InlineData("", "training spec: the document is empty")]
    [InlineData("# only a comment\n", "training spec: the document is empty")]
    [InlineData("- a\n- b\n", "training spec: expected a mapping, got a list")]
    [InlineData("just text", "training spec: expected a mapping, got \"just text\"")]
    [InlineData("task: binary\n---\ntask: regression\n", "training spec: expected one YAML document, found 2 (the second starts at line 3)")]
    public void Rejects_a_document_that_is_not_one_mapping(string text, string message)
    {
        AssertError(text, message);
    }

    [Fact]
    public void Rejects_nesting_deeper_than_any_spec()
    {
        AssertError("tags: " + new string('[', 20) + new string(']', 20), "training spec: nesting deeper than 8 levels at line 1");
    }

    [Fact]
    public void Rejects_text_over_the_size_limit()
    {
        AssertError(new string('#', TrainingSpecParser.MaxLength + 1), "training spec: the text is 1048577 characters long; the limit is 1048576");
    }

    [Theory]
    [InlineData("!!python/object:os.system x", "tag:yaml.org,2002:python/object:os.system")]
    [InlineData("!custom x", "!custom")]
    public void Rejects_yaml_tags_that_name_a_type(string value, string tag)
    {
        AssertError(Spec(name: value), $"name: the YAML tag {tag} is not supported (line 1)", exact: true);
    }

    [Fact]
    public void Accepts_core_schema_tags()
    {
        var spec = TrainingSpecParser.Parse(Spec(name: "!!str 123", trainerExtra: ", hyperparameters: {number_of_leaves: !!int 8}"));

        Assert.Equal("123", spec.Name);
        Assert.Equal(HyperparameterValue.FromInteger(8), spec.Trainer.Hyperparameters["number_of_leaves"]);
    }

    [Fact]
    public void Rejects_a_key_that_is_not_a_name()
    {
        AssertError("? [a, b]\n: 1\n", "training spec: keys must be plain names, got a list at line 1");
    }

    // ---- errors: unknown and missing keys ----

    [Fact]
    public void Rejects_an_unknown_top_level_key_and_lists_the_allowed_ones()
    {
        AssertError(Spec(extra: "datset: {}"), "datset: unknown key; the keys allowed at the top level are name, experiment, tags, dataset, task, trainer, validation, metrics, register (line 7)");
    }

    [Fact]
    public void Rejects_an_unknown_nested_key_and_lists_the_allowed_ones()
    {
        AssertError("""
            task: binary
            dataset:
              path: d.csv
              lable: y
            trainer: {name: lightgbm}
            """, "dataset.lable: unknown key; the keys allowed in dataset are path, label, features, categorical, text, ignore, separator, has_header, folds_file (line 4)");
    }

    [Theory]
    [InlineData("trainer: {name: lightgbm, hyperparams: {}}", "trainer.hyperparams: unknown key; the keys allowed in trainer are name, hyperparameters")]
    [InlineData("validation: {folds: 5, shuffle: true}", "validation.shuffle: unknown key; the keys allowed in validation are method, holdout_fraction, folds, seed")]
    [InlineData("metrics: {optimise: auc}", "metrics.optimise: unknown key; the keys allowed in metrics are optimize")]
    [InlineData("register: {name: m}", "register.name: unknown key; the keys allowed in register are model, alias")]
    public void Rejects_unknown_keys_in_every_section(string section, string message)
    {
        AssertError(Spec(extra: section, trainer: section.StartsWith("trainer", StringComparison.Ordinal) ? null : "lightgbm"), message + " (line ");
    }

    [Fact]
    public void Names_a_missing_top_level_section()
    {
        AssertError("task: binary\ntrainer: {name: lightgbm}\n", "dataset: required field is missing");
    }

    [Fact]
    public void Names_a_missing_task()
    {
        AssertError("dataset: {path: d.csv, label: y}\ntrainer: {name: lightgbm}\n", "task: required field is missing");
    }

    [Fact]
    public void Names_a_missing_nested_field_with_the_line_of_its_section()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
            """, "dataset.label: required field is missing (line 3)");
    }

    [Fact]
    public void Names_a_required_field_left_empty()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
              label:
            """, "dataset.label: a value is required (line 5)");
    }

    [Fact]
    public void Names_a_missing_trainer_name()
    {
        AssertError(Spec(trainer: null, extra: "trainer: {hyperparameters: {}}"), "trainer.name: required field is missing (line 7)");
    }

    [Fact]
    public void Names_a_registration_without_a_model()
    {
        AssertError(Spec(extra: "register: {alias: champion}"), "register.model: required field is missing (line 7)");
    }

    // ---- errors: wrong types ----

    [Theory]
    [InlineData("dataset: [d.csv]", "dataset: expected a mapping, got a list (line 1)")]
    [InlineData("dataset: d.csv", "dataset: expected a mapping, got \"d.csv\" (line 1)")]
    public void Rejects_a_section_that_is_not_a_mapping(string dataset, string message)
    {
        AssertError($"{dataset}\ntask: binary\ntrainer: {{name: lightgbm}}\n", message);
    }

    [Fact]
    public void Rejects_a_trainer_given_as_a_bare_name()
    {
        AssertError(Spec(trainer: null, extra: "trainer: lightgbm"), "trainer: expected a mapping, got \"lightgbm\" (line 7)");
    }

    [Theory]
    [InlineData("tags: [a, b]", "tags: expected a mapping, got a list (line 7)")]
    [InlineData("tags: {team: }", "tags.team: expected text, got null (line 7)")]
    [InlineData("tags: {team: [a]}", "tags.team: expected text, got a list (line 7)")]
    [InlineData("experiment: {first: a}", "experiment: expected text, got a mapping (line 7)")]
    [InlineData("experiment: [a]", "experiment: expected text, got a list (line 7)")]
    [InlineData("validation: [kfold]", "validation: expected a mapping, got a list (line 7)")]
    [InlineData("validation: {folds: five}", "validation.folds: expected an integer, got \"five\" (line 7)")]
    [InlineData("validation: {folds: 5.5}", "validation.folds: expected an integer, got 5.5 (line 7)")]
    [InlineData("validation: {folds: \"5\"}", "validation.folds: expected an integer, got \"5\" (line 7)")]
    [InlineData("validation: {seed: 99999999999}", "validation.seed: expected an integer, got 99999999999 (line 7)")]
    [InlineData("validation: {method: holdout, holdout_fraction: \"0.2\"}", "validation.holdout_fraction: expected a number, got \"0.2\" (line 7)")]
    [InlineData("validation: {method: holdout, holdout_fraction: [0.2]}", "validation.holdout_fraction: expected a single value, got a list (line 7)")]
    [InlineData("metrics: {optimize: [auc]}", "metrics.optimize: expected text, got a list (line 7)")]
    [InlineData("register: {model: {name: m}}", "register.model: expected text, got a mapping (line 7)")]
    public void Rejects_a_value_of_the_wrong_type(string section, string message)
    {
        AssertError(Spec(extra: section), message);
    }

    [Theory]
    [InlineData("features: age", "dataset.features: expected a list of column names, got \"age\" (line 4)")]
    [InlineData("features: {age: 1}", "dataset.features: expected a list of column names, got a mapping (line 4)")]
    [InlineData("ignore: [id, [x]]", "dataset.ignore[1]: expected text, got a list (line 4)")]
    [InlineData("categorical: [a, ~]", "dataset.categorical[1]: expected a column name, got null (line 4)")]
    [InlineData("has_header: yes", "dataset.has_header: expected true or false, got \"yes\" (line 4)")]
    [InlineData("has_header: \"true\"", "dataset.has_header: expected true or false, got \"true\" (line 4)")]
    [InlineData("has_header: 1", "dataset.has_header: expected true or false, got 1 (line 4)")]
    [InlineData("separator: ab", "dataset.separator: expected a single character, got \"ab\" (line 4)")]
    [InlineData("separator: \\t", "dataset.separator: expected a single character, got \"\\t\"; write \"\\t\" in double quotes for a tab (line 4)")]
    [InlineData("path: [a.csv]", "dataset.path: expected text, got a list (line 4)")]
    public void Rejects_a_dataset_field_of_the_wrong_type(string field, string message)
    {
        var lines = new List<string> { "task: binary", "trainer: {name: lightgbm}", "dataset:", "  " + field };
        if (!field.StartsWith("path", StringComparison.Ordinal))
        {
            lines.Add("  path: d.csv");
        }

        lines.Add("  label: y");
        AssertError(string.Join('\n', lines), message, exact: true);
    }

    [Theory]
    [InlineData("hyperparameters: [1, 2]", "trainer.hyperparameters: expected a mapping, got a list (line 4)")]
    [InlineData("hyperparameters: {learning_rate: }", "trainer.hyperparameters.learning_rate: expected a value, got null; leave the key out to keep ML.NET's default (line 4)")]
    [InlineData("hyperparameters: {learning_rate: {value: 1}}", "trainer.hyperparameters.learning_rate: expected a single value, got a mapping (line 4)")]
    [InlineData("name: [lightgbm]", "trainer.name: expected text, got a list (line 4)")]
    [InlineData("name: 42", "trainer.name: unknown trainer \"42\"; use one of lightgbm, fasttree, fastforest, sdca, lbfgs_logistic, lbfgs_poisson, averaged_perceptron (line 4)")]
    public void Rejects_a_trainer_field_of_the_wrong_type(string field, string message)
    {
        var lines = new List<string> { "task: binary", "dataset: {path: d.csv, label: y}", "trainer:", "  " + field };
        if (!field.StartsWith("name", StringComparison.Ordinal))
        {
            lines.Add("  name: lightgbm");
        }

        AssertError(string.Join('\n', lines), message, exact: true);
    }

    // ---- errors: unknown names ----

    [Fact]
    public void Rejects_an_unknown_task_and_lists_the_tasks()
    {
        AssertError(Spec(task: "classification"), "task: unknown task \"classification\"; use one of binary, multiclass, regression (line 6)");
    }

    [Fact]
    public void Rejects_an_unknown_trainer_and_lists_the_trainers()
    {
        AssertError(Spec(trainer: "xgboost"), "trainer.name: unknown trainer \"xgboost\"; use one of lightgbm, fasttree, fastforest, sdca, lbfgs_logistic, lbfgs_poisson, averaged_perceptron (line 5)");
    }

    [Fact]
    public void Rejects_trainer_names_in_another_case()
    {
        AssertError(Spec(trainer: "LightGBM"), "trainer.name: unknown trainer \"LightGBM\"");
    }

    [Fact]
    public void Rejects_an_unknown_validation_method()
    {
        AssertError(Spec(extra: "validation: {method: loo}"), "validation.method: unknown method \"loo\"; use one of holdout, kfold (line 7)");
    }

    [Fact]
    public void Rejects_a_holdout_fraction_with_kfold()
    {
        AssertError(Spec(extra: "validation:\n  holdout_fraction: 0.3"), "validation.holdout_fraction: only applies when validation.method is holdout (the method is kfold, the default) (line 8)");
    }

    [Fact]
    public void Rejects_a_fold_count_with_holdout()
    {
        AssertError(Spec(extra: "validation: {method: holdout, folds: 10}"), "validation.folds: only applies when validation.method is kfold (line 7)");
    }

    // ---- errors found by the domain rules, located by the parser ----

    [Fact]
    public void Locates_a_hyperparameter_of_the_wrong_type()
    {
        AssertError("""
            name: run
            dataset:
              path: d.csv
              label: y
            task: binary
            trainer:
              name: lightgbm
              hyperparameters:
                learning_rate: fast
            """, "trainer.hyperparameters.learning_rate: expected a number greater than 0, got \"fast\" (line 9)", exact: true);
    }

    [Fact]
    public void Treats_a_quoted_number_as_text()
    {
        AssertError(Spec(trainerExtra: ", hyperparameters: {learning_rate: \"0.05\"}"), "trainer.hyperparameters.learning_rate: expected a number greater than 0, got \"0.05\" (line 5)", exact: true);
    }

    [Theory]
    [InlineData("{number_of_leaves: 1}", "trainer.hyperparameters.number_of_leaves: expected an integer of at least 2, got 1 (line 5)")]
    [InlineData("{number_of_iterations: 0}", "trainer.hyperparameters.number_of_iterations: expected an integer of at least 1, got 0 (line 5)")]
    [InlineData("{number_of_iterations: 1.5}", "trainer.hyperparameters.number_of_iterations: expected an integer of at least 1, got 1.5 (line 5)")]
    [InlineData("{learning_rate: .nan}", "trainer.hyperparameters.learning_rate: expected a number greater than 0, got NaN (line 5)")]
    [InlineData("{learning_rate: -.inf}", "trainer.hyperparameters.learning_rate: expected a number greater than 0, got -Infinity (line 5)")]
    [InlineData("{minimum_example_count_per_leaf: true}", "trainer.hyperparameters.minimum_example_count_per_leaf: expected an integer of at least 1, got true (line 5)")]
    public void Locates_a_hyperparameter_out_of_range(string hyperparameters, string message)
    {
        AssertError(Spec(trainerExtra: $", hyperparameters: {hyperparameters}"), message, exact: true);
    }

    [Fact]
    public void Locates_an_unknown_hyperparameter_and_lists_the_known_ones()
    {
        AssertError("""
            dataset: {path: d.csv, label: y}
            task: binary
            trainer:
              name: lightgbm
              hyperparameters:
                number_of_iterations: 100
                num_leaves: 31
            """, "trainer.hyperparameters.num_leaves: lightgbm has no hyperparameter \"num_leaves\"; the known ones are number_of_iterations, learning_rate, number_of_leaves, minimum_example_count_per_leaf, l1_regularization, l2_regularization (line 7)", exact: true);
    }

    [Fact]
    public void Locates_a_trainer_that_does_not_support_the_task()
    {
        AssertError(Spec(task: "multiclass", trainer: "fastforest"), "trainer.name: fastforest does not support multiclass tasks; it supports binary, regression (line 5)", exact: true);
    }

    [Fact]
    public void Locates_a_metric_of_another_task()
    {
        AssertError(Spec(extra: "metrics:\n  optimize: rmse"), "metrics.optimize: \"rmse\" is not a binary metric; use one of auc, accuracy, f1, log_loss, auprc (line 8)", exact: true);
    }

    [Fact]
    public void Locates_a_label_that_is_also_a_feature()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
              label: y
              features:
                - a
                - y
            """, "dataset.features[1]: \"y\" is the label column; the label cannot also be a feature (line 8)", exact: true);
    }

    [Fact]
    public void Locates_a_column_both_categorical_and_ignored()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
              label: y
              categorical: [color]
              ignore: [id, color]
            """, "dataset.categorical[0]: \"color\" is also in dataset.ignore; a column cannot be both categorical and ignored (line 6)", exact: true);
    }

    [Fact]
    public void Locates_a_duplicate_column()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
              label: y
              ignore:
                - id
                - ts
                - id
            """, "dataset.ignore[2]: \"id\" is listed twice (also at dataset.ignore[0]) (line 9)", exact: true);
    }

    [Theory]
    [InlineData("label: \"\"", "dataset.label: must name the label column (line 5)")]
    [InlineData("label: \" \"", "dataset.label: must name the label column (line 5)")]
    public void Locates_an_empty_label(string label, string message)
    {
        AssertError($"task: binary\ntrainer: {{name: lightgbm}}\ndataset:\n  path: d.csv\n  {label}\n", message, exact: true);
    }

    [Theory]
    [InlineData("path: s3://bucket/d.csv", "dataset.path: the scheme \"s3:\" is not supported; use a local path, runs:/<run_id>/<path> or mlflow-artifacts:/<path> (line 4)")]
    [InlineData("path: d.xlsx", "dataset.path: \"d.xlsx\" is neither a CSV (.csv, .tsv, .txt) nor a Parquet (.parquet, .pq) file (line 4)")]
    [InlineData("path: runs:/abc", "dataset.path: \"runs:/abc\" names a run but no file in it; use runs:/<run_id>/<path> (line 4)")]
    public void Locates_an_unusable_dataset_path(string path, string message)
    {
        AssertError($"task: binary\ntrainer: {{name: lightgbm}}\ndataset:\n  {path}\n  label: y\n", message, exact: true);
    }

    [Fact]
    public void Locates_a_folds_file_with_holdout_validation()
    {
        AssertError("""
            task: binary
            trainer: {name: lightgbm}
            dataset:
              path: d.csv
              label: y
              folds_file: d.folds.csv
            validation: {method: holdout}
            """, "dataset.folds_file: fixes the split of k-fold cross-validation, but validation.method is holdout (line 6)", exact: true);
    }

    [Theory]
    [InlineData("validation: {method: holdout, holdout_fraction: 1}", "validation.holdout_fraction: expected a number greater than 0 and less than 1, got 1 (line 7)")]
    [InlineData("validation: {folds: 1}", "validation.folds: expected an integer from 2 to 20, got 1 (line 7)")]
    [InlineData("validation: {folds: 21}", "validation.folds: expected an integer from 2 to 20, got 21 (line 7)")]
    [InlineData("validation: {seed: -5}", "validation.seed: expected an integer of at least 0, got -5 (line 7)")]
    [InlineData("experiment: \"\"", "experiment: must not be empty; leave it out to use the \"Default\" experiment (line 7)")]
    public void Locates_a_value_out_of_range(string section, string message)
    {
        AssertError(Spec(extra: section), message, exact: true);
    }

    [Fact]
    public void Locates_an_empty_run_name()
    {
        AssertError(Spec(name: "\"\""), "name: must not be empty; leave it out to get a generated run name (line 1)", exact: true);
    }

    [Theory]
    [InlineData("register: {model: a/b}", "register.model: Invalid model name 'a/b'")]
    [InlineData("register: {model: m, alias: latest}", "register.alias: Invalid alias 'latest'")]
    [InlineData("register: {model: m, alias: v2}", "register.alias: Invalid alias 'v2'")]
    [InlineData("tags: {\"bad*key\": x}", "tags.bad*key: Invalid tag key 'bad*key'")]
    public void Locates_registration_and_tag_problems(string section, string message)
    {
        var error = AssertError(Spec(extra: section), message);

        Assert.EndsWith("(line 7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_rule_problem_with_its_own_line()
    {
        var error = AssertError("""
            dataset:
              path: d.csv
              label: y
              features: [y]
            task: regression
            trainer:
              name: averaged_perceptron
              hyperparameters: {learning_rate: 0}
            metrics: {optimize: auc}
            """, "dataset.features[0]");

        Assert.Equal(
            [
                "dataset.features[0]: \"y\" is the label column; the label cannot also be a feature (line 4)",
                "trainer.name: averaged_perceptron does not support regression tasks; it supports binary (line 7)",
                "trainer.hyperparameters.learning_rate: expected a number greater than 0, got 0 (line 8)",
                "metrics.optimize: \"auc\" is not a regression metric; use one of rmse, mae, r2 (line 9)",
            ],
            error.Message.Split('\n'));
    }

    [Fact]
    public void Reports_lines_of_multi_line_json()
    {
        AssertError("""
            {
              "dataset": {"path": "d.csv", "label": "y"},
              "task": "binary",
              "trainer": {
                "name": "lightgbm",
                "hyperparameters": {
                  "learning_rate": "fast"
                }
              }
            }
            """, "trainer.hyperparameters.learning_rate: expected a number greater than 0, got \"fast\" (line 7)", exact: true);
    }

    [Fact]
    public void Reports_malformed_json_with_its_line()
    {
        AssertError("{\n  \"task\": \"binary\",\n  \"dataset\": {\"path\": \"d.csv\" \"label\": \"y\"}\n}", "training spec: malformed YAML at line 3");
    }

    // ---- helpers ----

    private static string Spec(string task = "binary", string? trainer = "lightgbm", string trainerExtra = "", string? name = null, string extra = "")
    {
        // Line numbers used by the tests: 1 name, 2-4 dataset, 5 trainer, 6 task, 7 onwards extra.
        var lines = new List<string>
        {
            "name: " + (name ?? "run-1"),
            "dataset:",
            "  path: data/train.csv",
            "  label: label",
            trainer is null ? "# no trainer" : $"trainer: {{name: {trainer}{trainerExtra}}}",
            "task: " + task,
        };
        if (extra.Length > 0)
        {
            lines.Add(extra);
        }

        return string.Join('\n', lines) + "\n";
    }

    private static MlopsException AssertError(string text, string expected, bool exact = false)
    {
        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.Parse(text));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        if (exact)
        {
            Assert.Equal(expected, error.Message);
        }
        else
        {
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }

        return error;
    }
}
