using Mlops.Domain.Common;
using Mlops.Domain.Models;

namespace Mlops.Domain.Tests.Models;

public sealed class ModelUriTests
{
    private static MlopsException Rejects(string? uri)
    {
        var error = Assert.Throws<MlopsException>(() => ModelUri.Parse(uri));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("models:/<name>@<alias>", error.Message, StringComparison.Ordinal);
        Assert.Contains("runs:/<run_id>/<path>", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [InlineData("models:/iris/3", "iris", 3)]
    [InlineData("models:/iris/1", "iris", 1)]
    [InlineData("models:/my model/12", "my model", 12)]
    [InlineData("models:/team.fraud-v2_final/2147483647", "team.fraud-v2_final", int.MaxValue)]
    [InlineData("models:/ünïcödé:名前/7", "ünïcödé:名前", 7)]
    public void Parses_a_version_uri(string uri, string name, int version)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(ModelUriKind.Version, parsed.Kind);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(version, parsed.Version);
        Assert.Null(parsed.Alias);
        Assert.Null(parsed.Stage);
        Assert.Null(parsed.RunId);
        Assert.Null(parsed.ArtifactPath);
    }

    [Fact]
    public void Reads_leading_zeros_in_a_version_and_drops_them_in_the_canonical_form()
    {
        var parsed = ModelUri.Parse("models:/iris/007");

        Assert.Equal(7, parsed.Version);
        Assert.Equal("models:/iris/7", parsed.ToString());
    }

    [Theory]
    [InlineData("models:/iris@champion", "iris", "champion")]
    [InlineData("models:/my model@challenger-2", "my model", "challenger-2")]
    [InlineData("models:/iris@A_b-1", "iris", "A_b-1")]
    public void Parses_an_alias_uri(string uri, string name, string alias)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(ModelUriKind.Alias, parsed.Kind);
        Assert.Equal(name, parsed.Name);
        Assert.Equal(alias, parsed.Alias);
        Assert.Null(parsed.Version);
    }

    [Theory]
    [InlineData("models:/iris/Production", "Production")]
    [InlineData("models:/iris/production", "Production")]
    [InlineData("models:/iris/STAGING", "Staging")]
    [InlineData("models:/iris/archived", "Archived")]
    [InlineData("models:/iris/None", "None")]
    public void Parses_a_stage_uri_case_insensitively_into_the_canonical_stage(string uri, string stage)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(ModelUriKind.Stage, parsed.Kind);
        Assert.Equal("iris", parsed.Name);
        Assert.Equal(stage, parsed.Stage);
        Assert.Equal($"models:/iris/{stage}", parsed.ToString());
    }

    [Theory]
    [InlineData("models:/iris/latest")]
    [InlineData("models:/iris/Latest")]
    public void Parses_a_latest_uri(string uri)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(ModelUriKind.Latest, parsed.Kind);
        Assert.Equal("iris", parsed.Name);
        Assert.Equal("models:/iris/latest", parsed.ToString());
    }

    [Theory]
    [InlineData("runs:/0123456789abcdef0123456789abcdef/model", "0123456789abcdef0123456789abcdef", "model")]
    [InlineData("runs:/abc/models/classifier", "abc", "models/classifier")]
    [InlineData("runs:/abc/model/", "abc", "model")]
    [InlineData("runs:/abc", "abc", "")]
    [InlineData("runs:/abc/", "abc", "")]
    [InlineData("runs:/run_1-x/with space/m", "run_1-x", "with space/m")]
    public void Parses_a_run_uri_with_an_optional_path(string uri, string runId, string path)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(ModelUriKind.Run, parsed.Kind);
        Assert.Equal(runId, parsed.RunId);
        Assert.Equal(path, parsed.ArtifactPath);
        Assert.Null(parsed.Name);
    }

    [Theory]
    [InlineData("models:/iris/3")]
    [InlineData("models:/my model@champion")]
    [InlineData("models:/iris/Production")]
    [InlineData("models:/iris/Staging")]
    [InlineData("models:/iris/latest")]
    [InlineData("runs:/abc/model")]
    [InlineData("runs:/abc/a/b/c.zip")]
    [InlineData("runs:/abc")]
    public void Gives_back_the_canonical_form_and_parses_it_to_an_equal_value(string uri)
    {
        var parsed = ModelUri.Parse(uri);

        Assert.Equal(uri, parsed.ToString());
        Assert.Equal(parsed, ModelUri.Parse(parsed.ToString()));
    }

    [Fact]
    public void Builds_uris_with_the_factory_methods()
    {
        Assert.Equal("models:/iris/3", ModelUri.ForVersion("iris", 3).ToString());
        Assert.Equal("models:/iris@champion", ModelUri.ForAlias("iris", "champion").ToString());
        Assert.Equal("runs:/abc/model", ModelUri.ForRun("abc", "model").ToString());
        Assert.Equal("runs:/abc", ModelUri.ForRun("abc").ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("iris")]
    [InlineData("iris/3")]
    [InlineData("models:iris/3")]
    [InlineData("models:name")]
    [InlineData("models:")]
    [InlineData("models:/")]
    [InlineData("models:/iris")]
    [InlineData("models:/iris/")]
    [InlineData("models://iris/3")]
    [InlineData("models:///iris/3")]
    [InlineData("models://host/iris/3")]
    [InlineData("MODELS:/iris/3")]
    [InlineData("Models:/iris/3")]
    public void Rejects_text_that_is_not_a_models_or_runs_uri(string? uri)
    {
        Rejects(uri);
    }

    [Theory]
    [InlineData("models:/iris/0")]
    [InlineData("models:/iris/00")]
    [InlineData("models:/iris/-1")]
    [InlineData("models:/iris/+1")]
    [InlineData("models:/iris/1.5")]
    [InlineData("models:/iris/1e3")]
    [InlineData("models:/iris/ 3")]
    [InlineData("models:/iris/3 ")]
    [InlineData("models:/iris/99999999999")]
    [InlineData("models:/iris/Prod")]
    [InlineData("models:/iris/champion")]
    [InlineData("models:/iris/3/model.zip")]
    [InlineData("models:/iris/3/")]
    [InlineData("models:/a/b/3")]
    [InlineData("models://3")]
    [InlineData("models:/ /x")]
    public void Rejects_a_bad_version_stage_or_trailing_path(string uri)
    {
        Rejects(uri);
    }

    [Theory]
    [InlineData("models:/iris@")]
    [InlineData("models:/@champion")]
    [InlineData("models:/iris@champ ion")]
    [InlineData("models:/iris@a@b")]
    [InlineData("models:/ir@is@champion")]
    [InlineData("models:/ir@is/3")]
    [InlineData("models:/iris@champion/3")]
    [InlineData("models:/iris@x.y")]
    public void Rejects_a_bad_alias_or_a_name_with_an_at_sign(string uri)
    {
        Rejects(uri);
    }

    [Fact]
    public void Rejects_control_characters_in_a_name()
    {
        Rejects("models:/ir\nis/3");
        Rejects("models:/ir\u0000is@champion");
    }

    [Fact]
    public void Rejects_an_alias_longer_than_255_characters()
    {
        Assert.Equal(255, ModelUri.Parse("models:/iris@" + new string('a', 255)).Alias!.Length);
        Rejects("models:/iris@" + new string('a', 256));
    }

    [Theory]
    [InlineData("runs:/")]
    [InlineData("runs:")]
    [InlineData("runs:abc/model")]
    [InlineData("runs://abc/model")]
    [InlineData("runs:///abc/model")]
    [InlineData("runs://model")]
    [InlineData("runs:/-abc/model")]
    [InlineData("runs:/a b/model")]
    [InlineData("runs:/../model")]
    [InlineData("runs:/abc/../x")]
    [InlineData("runs:/abc/model/../../x")]
    [InlineData("runs:/abc/./x")]
    [InlineData("runs:/abc//x")]
    [InlineData("runs:/abc/a\\..\\x")]
    [InlineData("runs:/abc/%2e%2e/x")]
    [InlineData("runs:/abc/x?y")]
    [InlineData("runs:/abc/x#y")]
    public void Rejects_a_run_uri_without_a_run_id_or_with_a_path_that_could_escape(string uri)
    {
        Rejects(uri);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("file:/tmp/model")]
    [InlineData("s3://bucket/model")]
    [InlineData("http://example.com/model.zip")]
    [InlineData("https://example.com/model.zip")]
    [InlineData("mlflow-artifacts:/1/abc/artifacts/model")]
    [InlineData("dbfs:/model")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\models\\iris")]
    [InlineData(" models:/iris/3")]
    public void Rejects_other_schemes_and_plain_paths(string uri)
    {
        var error = Rejects(uri);

        Assert.Contains("only the models: and runs: schemes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_offending_uri_in_the_message()
    {
        var error = Rejects("models:/iris/0");

        Assert.StartsWith("Invalid model URI 'models:/iris/0': a version is a positive integer.", error.Message, StringComparison.Ordinal);
    }
}
