using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Domain.Tests.Artifacts;

public class ArtifactPathTests
{
    private static MlopsException Rejects(string raw)
    {
        var error = Assert.Throws<MlopsException>(() => ArtifactPath.Parse(raw));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    [Theory]
    [InlineData("model.pkl", "model.pkl")]
    [InlineData("model/MLmodel", "model/MLmodel")]
    [InlineData("a/b/c/d.txt", "a/b/c/d.txt")]
    [InlineData("plots/", "plots")]
    [InlineData("plots///", "plots")]
    [InlineData("with space/file name.txt", "with space/file name.txt")]
    [InlineData("ünïcödé/файл.txt", "ünïcödé/файл.txt")]
    [InlineData(".hidden/...", ".hidden/...")]
    [InlineData("100%", "100%")]
    [InlineData("a%zz", "a%zz")]
    [InlineData("ab:c", "ab:c")]
    public void Accepts_normal_relative_paths(string raw, string expected)
    {
        var path = ArtifactPath.Parse(raw);

        Assert.Equal(expected, path.Value);
        Assert.Equal(expected, path.ToString());
        Assert.False(path.IsRoot);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parses_null_and_empty_as_the_root(string? raw)
    {
        var path = ArtifactPath.Parse(raw);

        Assert.True(path.IsRoot);
        Assert.Equal(ArtifactPath.Root, path);
        Assert.Equal("", path.Value);
        Assert.Empty(path.Segments);
    }

    [Fact]
    public void Splits_a_path_into_segments()
    {
        Assert.Equal(["a", "b", "c.txt"], ArtifactPath.Parse("a/b/c.txt").Segments);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a/..")]
    [InlineData(".")]
    [InlineData("./a")]
    [InlineData("a/./b")]
    public void Rejects_dot_and_dot_dot_segments(string raw)
    {
        Assert.Contains("'..'", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/")]
    [InlineData("//server/share")]
    [InlineData("C:\\x")]
    [InlineData("C:/x")]
    [InlineData("c:")]
    public void Rejects_absolute_and_drive_rooted_paths(string raw)
    {
        Assert.Contains("absolute", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\\b")]
    [InlineData("..\\..\\windows")]
    [InlineData("\\\\server\\share")]
    public void Rejects_backslashes(string raw)
    {
        Assert.Contains("backslash", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("%2e%2e/etc")]
    [InlineData("%2E%2E")]
    [InlineData("a/%2fetc")]
    [InlineData("%252e%252e/etc")]
    [InlineData("a%5cb")]
    [InlineData("%00")]
    public void Rejects_percent_encoded_sequences(string raw)
    {
        Assert.Contains("percent-encoded", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("file.txt?x=1")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\tb")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0085b")]
    public void Rejects_characters_a_url_or_shell_could_reinterpret(string raw)
    {
        Assert.Contains("is not allowed", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a//b")]
    [InlineData("a///b/c")]
    public void Rejects_empty_segments(string raw)
    {
        Assert.Contains("'//'", Rejects(raw).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_segment_longer_than_255_characters()
    {
        ArtifactPath.Parse("a/" + new string('s', 255));

        Rejects("a/" + new string('s', 256));
    }

    [Fact]
    public void Rejects_a_path_longer_than_4096_characters()
    {
        var segments = string.Join('/', Enumerable.Repeat(new string('s', 100), 41));
        Assert.True(segments.Length > 4096);

        Assert.Contains("4096", Rejects(segments).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shortens_a_long_path_in_the_error_message()
    {
        var error = Rejects(new string('s', 5000));

        Assert.True(error.Message.Length < 400);
    }

    [Fact]
    public void Combines_two_paths_with_one_slash()
    {
        var combined = ArtifactPath.Parse("1/abc").Combine(ArtifactPath.Parse("artifacts/model"));

        Assert.Equal("1/abc/artifacts/model", combined.Value);
    }

    [Fact]
    public void Combining_with_the_root_returns_the_other_path()
    {
        var path = ArtifactPath.Parse("a/b");

        Assert.Equal(path, ArtifactPath.Root.Combine(path));
        Assert.Equal(path, path.Combine(ArtifactPath.Root));
        Assert.True(ArtifactPath.Root.Combine(ArtifactPath.Root).IsRoot);
    }

    [Theory]
    [InlineData("a/b/c", "a", "b/c")]
    [InlineData("a/b/c", "a/b", "c")]
    [InlineData("a/b/c", "a/b/c", "")]
    [InlineData("a/b/c", "", "a/b/c")]
    [InlineData("", "", "")]
    public void Gives_the_path_relative_to_an_ancestor(string path, string ancestor, string expected)
    {
        Assert.Equal(expected, ArtifactPath.Parse(path).RelativeTo(ArtifactPath.Parse(ancestor)));
    }

    [Theory]
    [InlineData("ab/c", "a")]
    [InlineData("a", "a/b")]
    [InlineData("b/c", "a")]
    [InlineData("", "a")]
    [InlineData("a2/x", "a")]
    public void Gives_null_relative_to_a_path_that_is_not_an_ancestor(string path, string ancestor)
    {
        Assert.Null(ArtifactPath.Parse(path).RelativeTo(ArtifactPath.Parse(ancestor)));
    }

    [Fact]
    public void Equal_paths_are_equal_values()
    {
        Assert.Equal(ArtifactPath.Parse("a/b/"), ArtifactPath.Parse("a/b"));
        Assert.NotEqual(ArtifactPath.Parse("a/B"), ArtifactPath.Parse("a/b"));
    }
}
