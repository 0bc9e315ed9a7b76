using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Domain.Tests.Artifacts;

public class ArtifactUriTests
{
    [Theory]
    [InlineData("mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts:///x", "x")]
    [InlineData("mlflow-artifacts://host/x", "x")]
    [InlineData("mlflow-artifacts://host:5000/1/abc", "1/abc")]
    [InlineData("mlflow-artifacts:/1/", "1")]
    [InlineData("mlflow-artifacts:1/abc", "1/abc")]
    public void Reads_the_path_of_an_mlflow_artifacts_uri(string uri, string expected)
    {
        Assert.Equal(expected, ArtifactUri.ToPath(uri).Value);
    }

    [Theory]
    [InlineData("mlflow-artifacts:")]
    [InlineData("mlflow-artifacts:/")]
    [InlineData("mlflow-artifacts://host")]
    [InlineData("mlflow-artifacts://host/")]
    public void Reads_the_root_from_a_uri_without_a_path(string uri)
    {
        Assert.True(ArtifactUri.ToPath(uri).IsRoot);
    }

    [Theory]
    [InlineData("file:///etc")]
    [InlineData("s3://b/k")]
    [InlineData("/etc/passwd")]
    [InlineData("1/abc")]
    [InlineData("")]
    [InlineData("MLFLOW-ARTIFACTS:/1")]
    [InlineData("http://example.com/x")]
    public void Rejects_other_schemes_and_plain_paths(string uri)
    {
        var error = Assert.Throws<MlopsException>(() => ArtifactUri.ToPath(uri));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Unsupported artifact location", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mlflow-artifacts:/../etc")]
    [InlineData("mlflow-artifacts:///../etc")]
    [InlineData("mlflow-artifacts://host/../etc")]
    [InlineData("mlflow-artifacts:/1/../../etc")]
    [InlineData("mlflow-artifacts:/%2e%2e/etc")]
    [InlineData("mlflow-artifacts:/1\\..\\..\\etc")]
    [InlineData("mlflow-artifacts:/1//x")]
    public void Rejects_a_path_that_could_escape_the_artifact_root(string uri)
    {
        var error = Assert.Throws<MlopsException>(() => ArtifactUri.ToPath(uri));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Builds_the_uri_of_an_experiment()
    {
        Assert.Equal("mlflow-artifacts:/42", ArtifactUri.ForExperiment("42"));
    }

    [Fact]
    public void Builds_the_uri_of_a_run_under_its_experiment()
    {
        Assert.Equal("mlflow-artifacts:/1/abc/artifacts", ArtifactUri.ForRun("mlflow-artifacts:/1", "abc"));
        Assert.Equal("mlflow-artifacts:/team/x/abc/artifacts", ArtifactUri.ForRun("mlflow-artifacts://host/team/x", "abc"));
    }

    [Fact]
    public void Round_trips_a_path_through_a_uri()
    {
        var path = ArtifactPath.Parse("1/abc/artifacts/model");

        Assert.Equal(path, ArtifactUri.ToPath(ArtifactUri.ForPath(path)));
        Assert.Equal("mlflow-artifacts:/", ArtifactUri.ForPath(ArtifactPath.Root));
    }
}
