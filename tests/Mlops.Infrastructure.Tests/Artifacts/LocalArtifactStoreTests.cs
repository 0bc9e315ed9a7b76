using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Artifacts;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>The artifact contract on a local folder, plus what only a file system has: temp files and symbolic links.</summary>
public sealed class LocalArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    // LocalArtifactStore writes uploads to hidden temp files with this prefix before renaming them.
    private const string UploadPrefix = ".mlops-upload-";

    private readonly TempFolder _temp = new();
    private readonly string _root;
    private readonly string _outside;

    public LocalArtifactStoreTests()
    {
        _root = _temp.Combine("root");
        _outside = _temp.Combine("outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
    }

    private LocalArtifactStore LocalStore => (LocalArtifactStore)Store;

    public void Dispose() => _temp.Dispose();

    protected override IArtifactStore CreateStore() => new LocalArtifactStore(_root);

    protected override async Task PlantBesideRootAsync(string name, string content)
    {
        var file = _temp.Combine(name.Split('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, content);
    }

    protected override async Task<IReadOnlyList<string>> ReadBesideRootAsync()
    {
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(_temp.Path, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!name.StartsWith("root/", StringComparison.Ordinal))
            {
                files.Add(name + ": " + await File.ReadAllTextAsync(file));
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    protected override Task<IReadOnlyList<string>> StoredUnderRootAsync()
    {
        _ = Store;
        IReadOnlyList<string> files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(files);
    }

    [Fact]
    public void Creates_the_root_folder()
    {
        Assert.Equal(Path.GetFullPath(_root), LocalStore.Root);
        Assert.True(Directory.Exists(_root));
    }

    [Fact]
    public async Task Hides_upload_temp_files_from_listings()
    {
        await WriteTextAsync("dir/real.txt", "x");
        File.WriteAllText(Path.Combine(_root, "dir", UploadPrefix + "0123456789abcdef"), "partial");

        Assert.Equal(["dir/real.txt"], (await Store.ListAsync(ArtifactPath.Parse("dir"), Ct)).Select(e => e.Path));
    }

    [Fact]
    public async Task Refuses_a_folder_symlink_to_another_folder_for_every_operation()
    {
        _ = Store;
        Directory.CreateSymbolicLink(Path.Combine(_root, "link"), _outside);

        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("link/planted.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("link/new/planted.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.ListAsync(ArtifactPath.Parse("link"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Parse("link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Parse("link"), Ct));

        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(_outside, "secret.txt")));
        Assert.True(Directory.Exists(Path.Combine(_root, "link")));
    }

    [Fact]
    public async Task Refuses_a_folder_symlink_to_etc()
    {
        _ = Store;
        Directory.CreateSymbolicLink(Path.Combine(_root, "etc"), "/etc");

        // Read-only operations only: the tests may run as root.
        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("etc/passwd"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("etc/hostname"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.ListAsync(ArtifactPath.Parse("etc"), Ct));
        Assert.Empty(await Store.ListAsync(ArtifactPath.Root, Ct));
    }

    [Fact]
    public async Task Refuses_a_file_symlink_for_every_operation()
    {
        _ = Store;
        var target = Path.Combine(_outside, "secret.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "secret.txt"), target);

        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("secret.txt", "overwritten"));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Parse("secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.ListAsync(ArtifactPath.Parse("secret.txt"), Ct));

        Assert.Equal("secret", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(Path.Combine(_root, "secret.txt")).LinkTarget);
    }

    [Fact]
    public async Task Refuses_a_file_symlink_to_etc_passwd_for_reading()
    {
        _ = Store;
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");

        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("passwd"), Ct));
    }

    [Fact]
    public async Task Refuses_a_dangling_symlink_for_writing()
    {
        _ = Store;
        var target = Path.Combine(_outside, "created-through-link.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling"), target);

        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("dangling", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("dangling"), Ct));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Refuses_a_symlink_deeper_in_the_path()
    {
        await WriteTextAsync("run/artifacts/real.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "run", "artifacts", "link"), _outside);

        await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse("run/artifacts/link/secret.txt"), Ct));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("run/artifacts/link/x.txt", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Parse("run/artifacts/link"), Ct));
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

        Assert.Equal([new ArtifactEntry("dir/real.txt", false, 1)], await Store.ListAsync(ArtifactPath.Parse("dir"), Ct));
    }

    [Fact]
    public async Task Deleting_a_folder_that_contains_a_symlink_leaves_the_link_target_alone()
    {
        await WriteTextAsync("run/real.txt", "x");
        Directory.CreateSymbolicLink(Path.Combine(_root, "run", "link"), _outside);

        await Store.DeleteAsync(ArtifactPath.Parse("run"), Ct);

        Assert.False(Directory.Exists(Path.Combine(_root, "run")));
        Assert.Equal("secret", File.ReadAllText(Path.Combine(_outside, "secret.txt")));
    }
}
