using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Infrastructure.Tests.Artifacts;

public sealed class S3ArtifactRootTests
{
    [Theory]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://my.bucket-1/mlops/artifacts/", "my.bucket-1", "mlops/artifacts")]
    [InlineData("S3://bucket/prefix", "bucket", "prefix")]
    public void Parses_bucket_and_normalised_prefix(string uri, string bucket, string prefix)
    {
        var root = S3ArtifactRoot.Parse(uri);

        Assert.Equal(bucket, root.Bucket);
        Assert.Equal(prefix, root.Prefix.Value);
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3://ab")]
    [InlineData("s3://Bucket/x")]
    [InlineData("s3://bucket_name/x")]
    [InlineData("s3://bucket..name/x")]
    [InlineData("s3://-bucket/x")]
    [InlineData("s3://bucket/../other")]
    [InlineData("s3://bucket/a//b")]
    [InlineData("s3://bucket/a/./b")]
    [InlineData("s3://bucket/a%2F..")]
    [InlineData("s3://bucket/a?b")]
    [InlineData("gs://bucket/a")]
    public void Rejects_a_malformed_destination(string uri)
    {
        var error = Assert.Throws<MlopsException>(() => S3ArtifactRoot.Parse(uri));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Maps_paths_to_keys_strictly_below_the_prefix()
    {
        var root = S3ArtifactRoot.Parse("s3://bucket/mlops");

        Assert.Equal("mlops/1/run/artifacts/model.zip", root.KeyOf(ArtifactPath.Parse("1/run/artifacts/model.zip")));
        Assert.Equal("mlops/", root.FolderPrefixOf(ArtifactPath.Root));
        Assert.Equal("mlops/1/", root.FolderPrefixOf(ArtifactPath.Parse("1")));
        Assert.Equal("", S3ArtifactRoot.Parse("s3://bucket").FolderPrefixOf(ArtifactPath.Root));
        Assert.Equal("s3://bucket/mlops", root.ToString());
    }
}
