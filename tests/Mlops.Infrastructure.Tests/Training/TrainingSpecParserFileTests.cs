using Mlops.Domain.Common;
using Mlops.Domain.Training;
using Mlops.Infrastructure.Training;

namespace Mlops.Infrastructure.Tests.Training;

public sealed class TrainingSpecParserFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_a_yaml_file()
    {
        var path = Write("spec.yaml", "dataset: {path: d.csv, label: y}\ntask: regression\ntrainer: {name: fasttree}\n");

        var spec = TrainingSpecParser.ParseFile(path);

        Assert.Equal(TrainerKind.FastTree, spec.Trainer.Name);
        Assert.Equal(TrainingTask.Regression, spec.Task);
    }

    [Fact]
    public void Reads_a_json_file_with_a_byte_order_mark()
    {
        var path = _folder.Combine("spec.json");
        File.WriteAllText(path, """{"dataset": {"path": "d.csv", "label": "y"}, "task": "binary", "trainer": {"name": "sdca"}}""", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal(TrainerKind.Sdca, TrainingSpecParser.ParseFile(path).Trainer.Name);
    }

    [Fact]
    public void Names_a_file_that_does_not_exist()
    {
        var path = _folder.Combine("missing.yaml");

        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.ParseFile(path));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal($"Training spec file '{path}' not found.", error.Message);
    }

    [Fact]
    public void Names_a_directory_given_as_the_file()
    {
        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.ParseFile(_folder.Path));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal($"Training spec '{_folder.Path}' is a directory, not a file.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Rejects_an_empty_path(string path)
    {
        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.ParseFile(path));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Prefixes_spec_errors_with_the_file_path()
    {
        var path = Write("bad.yaml", "dataset: {path: d.csv, label: y}\ntask: binary\ntrainer: {name: lightgbm, hyperparameters: {learning_rate: fast}}\n");

        var error = Assert.Throws<MlopsException>(() => TrainingSpecParser.ParseFile(path));

        Assert.Equal($"{path}: trainer.hyperparameters.learning_rate: expected a number greater than 0, got \"fast\" (line 3)", error.Message);
    }

    private string Write(string name, string text)
    {
        var path = _folder.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }
}
