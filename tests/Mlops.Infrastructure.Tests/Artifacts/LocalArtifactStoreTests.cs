using System.Text;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Infrastructure.Tests.Artifacts;

public sealed class LocalArtifactStoreTests : IDisposable
{
    // LocalArtifactStore writes uploads to hidden temp files with this prefix before renaming them.
    private const string UploadPrefix = ".mlops-upload-";

    private readonly TempFolder _temp = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly LocalArtifactStore _store;

    public LocalArtifactStoreTests()
    {
        _root = _temp.Combine("root");
        _outside = _temp.Combine("outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
        _store = new LocalArtifactStore(_root);
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Creates_the_root_folder()
    {
        Assert.True(Directory.Exists(_root));
        Assert.Equal(Path.GetFullPath(_root), _store.Root);
    }

    [Fact]
    public async Task Writes_reads_lists_and_deletes_a_multi_megabyte_file()
    {
        var content = new byte[(5 * 1024 * 1024) + 123];
        new Random(7).NextBytes(content);
        var path = ArtifactPath.Parse("model/weights.bin");

        await _store.WriteAsync(path, new MemoryStream(content), Ct);

        Assert.Equal(content, await ReadAllAsync(path));
        Assert.Equal([new ArtifactEntry("model", true, null)], await _store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal([new ArtifactEntry("model/weights.bin", false, content.Length)], await _store.ListAsync(ArtifactPath.Parse("model"), Ct));

        await _store.DeleteAsync(path, Ct);

        await AssertKind(ErrorKind.NotFound, () => _store.OpenReadAsync(path, Ct));
        Assert.Empty(await _store.ListAsync(ArtifactPath.Parse("model"), Ct));
    }

    [Fact]
    public async Task Writes_an_empty_file()
    {
        await WriteTextAsync("empty.txt", "");

        Assert.Equal("", await ReadTextAsync("empty.txt"));
        Assert.Equal(0L, Assert.Single(await _store.ListAsync(ArtifactPath.Root, Ct)).FileSize);
    }

    [Fact]
    public async Task Lists_direct_children_sorted_by_name_with_paths_from_the_root()
    {
        await WriteTextAsync("run/b.txt", "bb");
        await WriteTextAsync("run/a.txt", "a");
        await WriteTextAsync("run/plots/loss.png", "png");
        await WriteTextAsync("run/Z.txt", "z");

        var entries = await _store.ListAsync(ArtifactPath.Parse("run"), Ct);

        Assert.Equal(
            [
                new ArtifactEntry("run/Z.txt", false, 1),
                new ArtifactEntry("run/a.txt", false, 1),
                new ArtifactEntry("run/b.txt", false, 2),
                new ArtifactEntry("run/plots", true, null),
            ],
            entries);
        Assert.Equal([new ArtifactEntry("run/plots/loss.png", false, 3)], await _store.ListAsync(ArtifactPath.Parse("run/plots/"), Ct));
    }

    [Fact]
    public async Task Overwrites_a_file_and_leaves_no_temp_files()
    {
        await WriteTextAsync("a/file.txt", "old content that is longer");

        await WriteTextAsync("a/file.txt", "new");

        Assert.Equal("new", await ReadTextAsync("a/file.txt"));
        Assert.Equal([Path.Combine(_root, "a", "file.txt")], Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories).Where(File.Exists));
    }

    [Fact]
    public async Task A_reader_opened_before_an_overwrite_still_sees_the_old_content()
    {
        await WriteTextAsync("file.txt", "old");
        await using var reader = await _store.OpenReadAsync(ArtifactPath.Parse("file.txt"), Ct);

        await WriteTextAsync("file.txt", "new");

        using var text = new StreamReader(reader);
        Assert.Equal("old", await text.ReadToEndAsync(Ct));
        Assert.Equal("new", await ReadTextAsync("file.txt"));
    }

    [Fact]
    public async Task A_failed_write_keeps_the_old_file_and_leaves_no_temp_files()
    {
        await WriteTextAsync("file.txt", "old");

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync(ArtifactPath.Parse("file.txt"), new FailingStream(100_000), Ct));

        Assert.Equal("old", await ReadTextAsync("file.txt"));
        Assert.Equal([Path.Combine(_root, "file.txt")], Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing_behind()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync(ArtifactPath.Parse("dir/file.txt"), new MemoryStream(new byte[10]), cancelled.Token));

        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Hides_upload_temp_files_from_listings()
    {
        await WriteTextAsync("dir/real.txt", "x");
        File.WriteAllText(Path.Combine(_root, "dir", UploadPrefix + "0123456789abcdef"), "partial");

        Assert.Equal(["dir/real.txt"], (await _store.ListAsync(ArtifactPath.Parse("dir"), Ct)).Select(e => e.Path));
    }

    [Fact]
    public async Task Lists_a_missing_folder_as_empty()
    {
        Assert.Empty(await _store.ListAsync(ArtifactPath.Parse("no/such/folder"), Ct));
        Assert.Empty(await _store.ListAsync(ArtifactPath.Root, Ct));
    }

    [Fact]
    public async Task Raises_not_found_when_deleting_a_missing_path()
    {
        await AssertKind(ErrorKind.NotFound, () => _store.DeleteAsync(ArtifactPath.Parse("missing.txt"), Ct));
        await AssertKind(ErrorKind.NotFound, () => _store.DeleteAsync(ArtifactPath.Parse("missing/child.txt"), Ct));
    }

    [Fact]
    public async Task Raises_not_found_when_reading_a_missing_file_or_a_folder()
    {
        await WriteTextAsync("dir/file.txt", "x");

        await AssertKind(ErrorKind.NotFound, () => _store.OpenReadAsync(ArtifactPath.Parse("missing.txt"), Ct));
        await AssertKind(ErrorKind.NotFound, () => _store.OpenReadAsync(ArtifactPath.Parse("dir"), Ct));
    }

    [Fact]
    public async Task Deletes_a_folder_with_its_content()
    {
        await WriteTextAsync("run/a/b/c.txt", "x");
        await WriteTextAsync("run/d.txt", "x");
        await WriteTextAsync("keep.txt", "x");

        await _store.DeleteAsync(ArtifactPath.Parse("run"), Ct);

        Assert.Equal([new ArtifactEntry("keep.txt", false, 1)], await _store.ListAsync(ArtifactPath.Root, Ct));
    }

    [Fact]
    public async Task Rejects_writing_through_a_file_as_if_it_were_a_folder()
    {
        await WriteTextAsync("model", "i am a file");

        var error = await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model/inner.txt", "x"));

        Assert.Contains("'model' is a file", error.Message, StringComparison.Ordinal);
        Assert.Equal("i am a file", await ReadTextAsync("model"));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model/deeper/inner.txt", "x"));
    }

    [Fact]
    public async Task Rejects_writing_a_file_over_a_folder()
    {
        await WriteTextAsync("model/inner.txt", "x");

        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model", "x"));

        Assert.Equal("x", await ReadTextAsync("model/inner.txt"));
    }

    [Fact]
    public async Task Refuses_a_folder_symlink_to_another_folder_for_every_operation()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);

        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("link/planted.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("link/new/planted.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.ListAsync(ArtifactPath.Parse("link"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.DeleteAsync(ArtifactPath.Parse("link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.DeleteAsync(ArtifactPath.Parse("link"), Ct));

        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(_outside, "secret.txt")));
        Assert.True(Directory.Exists(Path.Combine(_root, "link")));
    }

    [Fact]
    public async Task Refuses_a_folder_symlink_to_etc()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "etc"), "/etc");

        // Read-only operations only: the tests may run as root.
        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("etc/passwd"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("etc/hostname"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.ListAsync(ArtifactPath.Parse("etc"), Ct));
        Assert.Empty(await _store.ListAsync(ArtifactPath.Root, Ct));
    }

    [Fact]
    public async Task Refuses_a_file_symlink_for_every_operation()
    {
        var target = Path.Combine(_outside, "secret.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "secret.txt"), target);

        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("secret.txt", "overwritten"));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.DeleteAsync(ArtifactPath.Parse("secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.ListAsync(ArtifactPath.Parse("secret.txt"), Ct));

        Assert.Equal("secret", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(Path.Combine(_root, "secret.txt")).LinkTarget);
    }

    [Fact]
    public async Task Refuses_a_file_symlink_to_etc_passwd_for_reading()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");

        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("passwd"), Ct));
    }

    [Fact]
    public async Task Refuses_a_dangling_symlink_for_writing()
    {
        var target = Path.Combine(_outside, "created-through-link.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), target);

        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("dangling", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("dangling"), Ct));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Refuses_a_symlink_deeper_in_the_path()
    {
        await WriteTextAsync("run/artifacts/real.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "run", "artifacts", "link"), _outside);

        await AssertKind(ErrorKind.InvalidArgument, () => _store.OpenReadAsync(ArtifactPath.Parse("run/artifacts/link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("run/artifacts/link/x.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => _store.DeleteAsync(ArtifactPath.Parse("run/artifacts/link"), Ct));
        Assert.True(File.Exists(Path.Combine(_outside, "secret.txt")));
        Assert.False(File.Exists(Path.Combine(_outside, "x.txt")));
    }

    [Fact]
    public async Task Does_not_list_symlinks()
    {
        await WriteTextAsync("dir/real.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "dir", "folder-link"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "dir", "file-link"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "dir", "dangling-link"), Path.Combine(_outside, "missing"));

        Assert.Equal([new ArtifactEntry("dir/real.txt", false, 1)], await _store.ListAsync(ArtifactPath.Parse("dir"), Ct));
    }

    [Fact]
    public async Task Deleting_a_folder_that_contains_a_symlink_leaves_the_link_target_alone()
    {
        await WriteTextAsync("run/real.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "run", "link"), _outside);

        await _store.DeleteAsync(ArtifactPath.Parse("run"), Ct);

        Assert.False(Directory.Exists(Path.Combine(_root, "run")));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(_outside, "secret.txt")));
    }

    private Task WriteTextAsync(string path, string text) =>
        _store.WriteAsync(ArtifactPath.Parse(path), new MemoryStream(Encoding.UTF8.GetBytes(text)), Ct);

    private async Task<string> ReadTextAsync(string path) => Encoding.UTF8.GetString(await ReadAllAsync(ArtifactPath.Parse(path)));

    private async Task<byte[]> ReadAllAsync(ArtifactPath path)
    {
        await using var stream = await _store.OpenReadAsync(path, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private static async Task<MlopsException> AssertKind(ErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }

    /// <summary>A stream that yields some bytes and then fails, like a dropped upload.</summary>
    private sealed class FailingStream(int bytesBeforeFailure) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= bytesBeforeFailure)
            {
                throw new IOException("The connection was reset.");
            }

            var n = Math.Min(count, bytesBeforeFailure - _position);
            Array.Fill(buffer, (byte)'x', offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
