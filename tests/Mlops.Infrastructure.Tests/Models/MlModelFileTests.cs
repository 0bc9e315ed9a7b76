using System.Text;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Models;

public sealed class MlModelFileTests
{
    // Written by MLflow 2.16 for a scikit-learn model: keys sorted, signature strings folded by PyYAML at 80 columns.
    private const string MlflowWritten = """
        artifact_path: model
        flavors:
          python_function:
            env:
              conda: conda.yaml
              virtualenv: python_env.yaml
            loader_module: mlflow.sklearn
            model_path: model.pkl
            predict_fn: predict
            python_version: 3.11.9
          sklearn:
            code: null
            pickled_model: model.pkl
            serialization_format: cloudpickle
            sklearn_version: 1.5.1
        mlflow_version: 2.16.2
        model_size_bytes: 1707
        model_uuid: 3347a0f166a1441693db6de334210133
        run_id: 98d3d1d597ec48b7be8cb69dbeb92e29
        saved_input_example_info:
          artifact_path: input_example.json
          pandas_orient: split
          serving_input_path: serving_input_example.json
          type: dataframe
        signature:
          inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
            "double", "name": "sepal width (cm)", "required": true}, {"type": "double", "name":
            "petal length (cm)", "required": true}, {"type": "double", "name": "petal width
            (cm)", "required": true}]'
          outputs: '[{"type": "long", "required": true}]'
          params: null
        utc_time_created: '2024-09-18 08:15:42.123456'

        """;

    private static readonly DateTimeOffset s_created = new(2024, 1, 31, 12, 34, 56, TimeSpan.Zero);

    private static ModelDescriptor FullDescriptor() => new()
    {
        ArtifactPath = "models/classifier",
        RunId = "0123456789abcdef0123456789abcdef",
        ModelUuid = "fedcba9876543210fedcba9876543210",
        UtcTimeCreated = s_created.AddTicks(7_890_120),
        Flavors = ModelDescriptor.FlavorMap(
            ModelFlavor.ForMlNet("5.0.1"),
            ModelFlavor.ForOnnx(),
            new ModelFlavor("custom", new Dictionary<string, string>
            {
                ["looks_like_bool"] = "true",
                ["looks_like_null"] = "null",
                ["looks_like_number"] = "123",
                ["looks_like_float"] = "1.5e3",
                ["empty"] = "",
                ["yaml_syntax"] = "a: b # not a comment",
                ["quotes"] = "it's \"quoted\"",
                ["multi_line"] = "line one\nline two",
                ["unicode"] = "ünïcödé 名前",
                ["leading_space"] = "  x",
            })),
        Signature = new ModelSignature(
            [
                new ColumnSpec("mean radius", ColumnType.Float),
                new ColumnSpec("Features", ColumnType.Float, Note: "vector of 30"),
                new ColumnSpec("nullable \"col\"  name", ColumnType.String, Required: false),
                new ColumnSpec("naïve", ColumnType.Long),
            ],
            [new ColumnSpec("PredictedLabel", ColumnType.Boolean), new ColumnSpec("Score", ColumnType.Float), new ColumnSpec("", ColumnType.Long)]),
        InputExampleFile = "input_example.json",
        FileHashes = new Dictionary<string, string>
        {
            ["model.zip"] = new string('a', 64),
            ["input_example.json"] = new string('b', 64),
            ["sub dir/weird name's.bin"] = new string('c', 64),
        },
    };

    private static void AssertSameDescriptor(ModelDescriptor expected, ModelDescriptor actual)
    {
        Assert.Equal(expected.ArtifactPath, actual.ArtifactPath);
        Assert.Equal(expected.RunId, actual.RunId);
        Assert.Equal(expected.ModelUuid, actual.ModelUuid);
        Assert.Equal(expected.UtcTimeCreated, actual.UtcTimeCreated);
        Assert.Equal(expected.InputExampleFile, actual.InputExampleFile);
        Assert.Equal(expected.FileHashes.OrderBy(p => p.Key), actual.FileHashes.OrderBy(p => p.Key));
        Assert.Equal(expected.Flavors.Keys.Order(), actual.Flavors.Keys.Order());
        foreach (var (name, flavor) in expected.Flavors)
        {
            Assert.Equal(name, actual.Flavors[name].Name);
            Assert.Equal(flavor.Properties.OrderBy(p => p.Key), actual.Flavors[name].Properties.OrderBy(p => p.Key));
        }

        Assert.Equal(expected.Signature is null, actual.Signature is null);
        if (expected.Signature is not null)
        {
            Assert.Equal(expected.Signature.Inputs, actual.Signature!.Inputs);
            Assert.Equal(expected.Signature.Outputs, actual.Signature.Outputs);
        }
    }

    private static MlopsException AssertInvalid(string yaml)
    {
        var error = Assert.Throws<MlopsException>(() => MlModelFile.Read(yaml));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("MLmodel: ", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Reads_back_everything_it_writes()
    {
        var descriptor = FullDescriptor();

        AssertSameDescriptor(descriptor, MlModelFile.Read(MlModelFile.Write(descriptor)));
    }

    [Fact]
    public void Reads_back_a_minimal_descriptor_without_optional_sections()
    {
        var descriptor = new ModelDescriptor { UtcTimeCreated = s_created, Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForOnnx()) };

        var text = MlModelFile.Write(descriptor);

        AssertSameDescriptor(descriptor, MlModelFile.Read(text));
        Assert.DoesNotContain("run_id", text, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_the_layout_mlflow_writes_with_sorted_keys_and_mlflow_signature_json()
    {
        var descriptor = new ModelDescriptor
        {
            ArtifactPath = "model",
            RunId = "abc123",
            ModelUuid = "0f0f",
            UtcTimeCreated = s_created.AddTicks(10),
            Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForMlNet("5.0.1")),
            Signature = new ModelSignature(
                [new ColumnSpec("x", ColumnType.Float), new ColumnSpec("é", ColumnType.String, Required: false)],
                [new ColumnSpec("Score", ColumnType.Float, Note: "vector of 2")]),
            InputExampleFile = "input_example.json",
            FileHashes = new Dictionary<string, string> { ["model.zip"] = new string('0', 64), ["input_example.json"] = new string('1', 64) },
        };

        var expected = $$"""
            artifact_path: model
            flavors:
              mlnet:
                mlnet_version: '5.0.1'
                model_file: model.zip
            mlops:
              file_hashes:
                input_example.json: '{{new string('1', 64)}}'
                model.zip: '{{new string('0', 64)}}'
              signature_notes:
                inputs: {}
                outputs:
                  Score: vector of 2
            model_uuid: '0f0f'
            run_id: abc123
            saved_input_example_info:
              artifact_path: input_example.json
              pandas_orient: split
              type: dataframe
            signature:
              inputs: '[{"type": "float", "name": "x", "required": true}, {"type": "string", "name": "\u00e9", "required": false}]'
              outputs: '[{"type": "float", "name": "Score", "required": true}]'
            utc_time_created: '2024-01-31 12:34:56.000001'

            """;
        Assert.Equal(expected, MlModelFile.Write(descriptor));
    }

    [Fact]
    public void Keeps_microseconds_of_the_creation_time_as_mlflow_does()
    {
        var descriptor = new ModelDescriptor { UtcTimeCreated = s_created.AddTicks(1_234_567), Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForOnnx()) };

        var read = MlModelFile.Read(MlModelFile.Write(descriptor));

        Assert.Equal(s_created.AddTicks(1_234_560), read.UtcTimeCreated);
    }

    [Fact]
    public void Writes_the_creation_time_in_utc()
    {
        var local = new DateTimeOffset(2024, 1, 31, 14, 34, 56, TimeSpan.FromHours(2));
        var descriptor = new ModelDescriptor { UtcTimeCreated = local, Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForOnnx()) };

        var text = MlModelFile.Write(descriptor);

        Assert.Contains("utc_time_created: '2024-01-31 12:34:56.000000'", text, StringComparison.Ordinal);
        Assert.Equal(local, MlModelFile.Read(text).UtcTimeCreated);
    }

    [Fact]
    public void Reads_an_mlmodel_written_by_mlflow()
    {
        var descriptor = MlModelFile.Read(MlflowWritten);

        Assert.Equal("model", descriptor.ArtifactPath);
        Assert.Equal("98d3d1d597ec48b7be8cb69dbeb92e29", descriptor.RunId);
        Assert.Equal("3347a0f166a1441693db6de334210133", descriptor.ModelUuid);
        Assert.Equal(new DateTimeOffset(2024, 9, 18, 8, 15, 42, TimeSpan.Zero).AddTicks(1_234_560), descriptor.UtcTimeCreated);
        Assert.Equal("input_example.json", descriptor.InputExampleFile);
        Assert.Empty(descriptor.FileHashes);

        Assert.Equal(["python_function", "sklearn"], descriptor.Flavors.Keys.Order());
        var pyfunc = descriptor.Flavors["python_function"].Properties;
        Assert.Equal("conda.yaml", pyfunc["env.conda"]);
        Assert.Equal("python_env.yaml", pyfunc["env.virtualenv"]);
        Assert.Equal("mlflow.sklearn", pyfunc["loader_module"]);
        Assert.Equal("3.11.9", pyfunc["python_version"]);
        var sklearn = descriptor.Flavors["sklearn"].Properties;
        Assert.Equal("model.pkl", sklearn["pickled_model"]);
        Assert.Equal("1.5.1", sklearn["sklearn_version"]);
        Assert.False(sklearn.ContainsKey("code"));

        Assert.NotNull(descriptor.Signature);
        Assert.Equal(
            [
                new ColumnSpec("sepal length (cm)", "double"),
                new ColumnSpec("sepal width (cm)", "double"),
                new ColumnSpec("petal length (cm)", "double"),
                new ColumnSpec("petal width (cm)", "double"),
            ],
            descriptor.Signature.Inputs);
        Assert.Equal([new ColumnSpec("", "long")], descriptor.Signature.Outputs);
    }

    [Fact]
    public void Reads_older_and_tensor_based_mlflow_signatures()
    {
        const string yaml = """
            flavors:
              onnx:
                data: model.onnx
                onnx_version: 1.14.0
                providers:
                - CUDAExecutionProvider
                - CPUExecutionProvider
            signature:
              inputs: '[{"name": "x", "type": "double", "optional": true}, {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]'
              outputs: null
            utc_time_created: '2021-03-04 05:06:07'
            """;

        var descriptor = MlModelFile.Read(yaml);

        Assert.Equal(new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero), descriptor.UtcTimeCreated);
        Assert.Null(descriptor.RunId);
        Assert.Null(descriptor.ArtifactPath);
        Assert.Equal("CPUExecutionProvider", descriptor.Flavors["onnx"].Properties["providers.1"]);
        Assert.Equal("1.14.0", descriptor.Flavors["onnx"].Properties["onnx_version"]);
        Assert.Equal(
            [
                new ColumnSpec("x", "double", Required: false),
                new ColumnSpec("", "tensor", Note: "tensor-spec: {\"dtype\": \"float32\", \"shape\": [-1, 4]}"),
            ],
            descriptor.Signature!.Inputs);
        Assert.Empty(descriptor.Signature.Outputs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("just a string")]
    [InlineData("- a\n- b")]
    [InlineData("flavors: [")]
    [InlineData("flavors: {mlnet: {a: 1}")]
    [InlineData("a: b: c")]
    [InlineData("key: 'unterminated")]
    [InlineData("\tflavors: {}")]
    [InlineData("flavors: *undefined")]
    [InlineData("flavors:\n  mlnet: {}\nflavors:\n  onnx: {}\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nutc_time_created: '2024-01-01 00:00:00'\n---\nflavors: {}")]
    [InlineData("flavors:\n  mlnet: {}")]
    [InlineData("utc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors: {}\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors: mlnet\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nutc_time_created: yesterday")]
    [InlineData("flavors:\n  mlnet: {}\nutc_time_created: '2024-13-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nutc_time_created: [2024]")]
    [InlineData("flavors:\n  mlnet: {}\nrun_id: {a: b}\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nsignature: '[]'\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nsignature:\n  inputs: not json\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nsignature:\n  inputs: '{\"type\": \"float\"}'\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nsignature:\n  inputs: '[1, 2]'\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nsignature:\n  inputs: '[{\"name\": \"x\"}]'\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nmlops:\n  file_hashes:\n    model.zip: abc\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nmlops:\n  file_hashes:\n    model.zip: [a]\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nmlops:\n  file_hashes: [a]\nutc_time_created: '2024-01-01 00:00:00'")]
    [InlineData("flavors:\n  mlnet: {}\nmlops:\n  file_hashes:\n    ? [a]\n    : b\nutc_time_created: '2024-01-01 00:00:00'")]
    public void Rejects_malformed_yaml_and_missing_or_mistyped_fields(string yaml)
    {
        AssertInvalid(yaml);
    }

    [Fact]
    public void Rejects_deep_nesting_before_building_a_tree()
    {
        var yaml = "flavors: " + new string('[', 10_000) + new string(']', 10_000) + "\nutc_time_created: '2024-01-01 00:00:00'";

        var error = AssertInvalid(yaml);

        Assert.Contains("nesting deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_alias_bomb_in_the_flavors()
    {
        var yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            yaml.Append($"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n");
        }

        yaml.Append("flavors:\n  bomb:\n    lol: *i\nutc_time_created: '2024-01-01 00:00:00'\n");

        var error = AssertInvalid(yaml.ToString());

        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_file_longer_than_the_limit()
    {
        var yaml = "flavors:\n  mlnet: {}\nutc_time_created: '2024-01-01 00:00:00'\n# " + new string('x', MlModelFile.MaxLength);

        AssertInvalid(yaml);
    }

    [Fact]
    public void Normalises_hashes_to_lowercase()
    {
        var yaml = $"flavors:\n  mlnet: {{}}\nmlops:\n  file_hashes:\n    model.zip: {new string('A', 64)}\nutc_time_created: '2024-01-01 00:00:00'";

        Assert.Equal(new string('a', 64), MlModelFile.Read(yaml).FileHashes["model.zip"]);
    }
}
