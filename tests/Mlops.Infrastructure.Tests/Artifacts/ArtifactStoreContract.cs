using System.Security.Cryptography;
using System.Text;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// What every <see cref="IArtifactStore"/> adapter must do, written once and run against each adapter. A subclass
/// gives a store whose root is a folder (or key prefix) named <c>root</c>, and raw access to what is stored beside
/// that root and inside it, bypassing the store, so the tests can see what a store really left behind and show
/// that nothing reaches past the root.
/// </summary>
public abstract class ArtifactStoreContract
{
    private IArtifactStore? _store;

    /// <summary>Creates the store under test, rooted at <c>&lt;parent&gt;/root</c>. Called at most once per test.</summary>
    protected abstract IArtifactStore CreateStore();

    /// <summary>Writes a file beside the root, bypassing the store; <paramref name="name"/> is relative to the root's parent.</summary>
    protected abstract Task PlantBesideRootAsync(string name, string content);

    /// <summary>Every file beside the root as "name: content" (name relative to the root's parent, '/'-separated), sorted; nothing under the root.</summary>
    protected abstract Task<IReadOnlyList<string>> ReadBesideRootAsync();

    /// <summary>Everything physically stored under the root, temporary or hidden files included, relative to the root and sorted.</summary>
    protected abstract Task<IReadOnlyList<string>> StoredUnderRootAsync();

    protected IArtifactStore Store => _store ??= CreateStore();

    protected static CancellationToken Ct => CancellationToken.None;

    // ---------------------------------------------------------------- writing and reading

    [StoreFact]
    public async Task Writes_reads_lists_and_deletes_a_multi_megabyte_file()
    {
        var content = new byte[(5 * 1024 * 1024) + 123];
        new Random(7).NextBytes(content);
        var path = ArtifactPath.Parse("model/weights.bin");

        await Store.WriteAsync(path, new MemoryStream(content), Ct);

        Assert.Equal(content, await ReadAllAsync(path));
        Assert.Equal([new ArtifactEntry("model", true, null)], await Store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal([new ArtifactEntry("model/weights.bin", false, content.Length)], await Store.ListAsync(ArtifactPath.Parse("model"), Ct));

        await Store.DeleteAsync(path, Ct);

        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(path, Ct));
        Assert.Empty(await Store.ListAsync(ArtifactPath.Parse("model"), Ct));
    }

    [StoreFact]
    public async Task A_20_MB_file_streamed_in_parts_reads_back_with_the_same_sha256()
    {
        const long size = 20L * 1024 * 1024;
        var path = ArtifactPath.Parse("big/data.bin");
        using var upload = new GeneratedStream(size, seed: 20);

        await Store.WriteAsync(path, upload, Ct);

        await using var read = await Store.OpenReadAsync(path, Ct);
        Assert.Equal(upload.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(read, Ct)));
        Assert.Equal([new ArtifactEntry("big/data.bin", false, size)], await Store.ListAsync(ArtifactPath.Parse("big"), Ct));
    }

    [StoreFact]
    public async Task Writes_an_empty_file()
    {
        await WriteTextAsync("empty.txt", "");

        Assert.Equal("", await ReadTextAsync("empty.txt"));
        Assert.Equal(0L, Assert.Single(await Store.ListAsync(ArtifactPath.Root, Ct)).FileSize);
    }

    [StoreFact]
    public async Task Overwrites_a_file_and_leaves_no_temp_files()
    {
        await WriteTextAsync("a/file.txt", "old content that is longer");

        await WriteTextAsync("a/file.txt", "new");

        Assert.Equal("new", await ReadTextAsync("a/file.txt"));
        Assert.Equal(["a/file.txt"], await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task A_reader_opened_before_an_overwrite_still_sees_the_old_content()
    {
        await WriteTextAsync("file.txt", "old");
        await using var reader = await Store.OpenReadAsync(ArtifactPath.Parse("file.txt"), Ct);

        await WriteTextAsync("file.txt", "new");

        using var text = new StreamReader(reader);
        Assert.Equal("old", await text.ReadToEndAsync(Ct));
        Assert.Equal("new", await ReadTextAsync("file.txt"));
    }

    [StoreFact]
    public async Task A_failed_write_keeps_the_old_file_and_leaves_no_temp_files()
    {
        await WriteTextAsync("file.txt", "old");

        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(ArtifactPath.Parse("file.txt"), new FailingStream(100_000), Ct));

        Assert.Equal("old", await ReadTextAsync("file.txt"));
        Assert.Equal(["file.txt"], await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task A_write_that_fails_after_several_megabytes_leaves_no_partial_file()
    {
        await WriteTextAsync("model/weights.bin", "old");

        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(ArtifactPath.Parse("model/weights.bin"), new FailingStream(12L * 1024 * 1024), Ct));
        await Assert.ThrowsAsync<IOException>(() => Store.WriteAsync(ArtifactPath.Parse("model/new.bin"), new FailingStream(12L * 1024 * 1024), Ct));

        Assert.Equal("old", await ReadTextAsync("model/weights.bin"));
        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Parse("model/new.bin"), Ct));
        Assert.Equal([new ArtifactEntry("model/weights.bin", false, 3)], await Store.ListAsync(ArtifactPath.Parse("model"), Ct));
        Assert.Equal(["model/weights.bin"], await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task A_write_cancelled_midway_leaves_no_partial_file()
    {
        using var cancel = new CancellationTokenSource();
        using var upload = new GeneratedStream(20L * 1024 * 1024, seed: 3, triggerAt: 11L * 1024 * 1024, trigger: cancel.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.WriteAsync(ArtifactPath.Parse("run/partial.bin"), upload, cancel.Token));

        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Parse("run/partial.bin"), Ct));
        Assert.Empty(await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task A_cancelled_write_leaves_nothing_behind()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.WriteAsync(ArtifactPath.Parse("dir/file.txt"), new MemoryStream(new byte[10]), cancelled.Token));

        Assert.Empty(await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task Raises_not_found_when_reading_a_missing_file_a_folder_or_the_root()
    {
        await WriteTextAsync("dir/file.txt", "x");

        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Parse("missing.txt"), Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Parse("dir"), Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Root, Ct));
    }

    [StoreFact]
    public async Task Rejects_writing_through_a_file_as_if_it_were_a_folder()
    {
        await WriteTextAsync("model", "i am a file");

        var error = await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model/inner.txt", "x"));

        Assert.Equal("Cannot write artifact 'model/inner.txt': 'model' is a file, not a folder.", error.Message);
        Assert.Equal("i am a file", await ReadTextAsync("model"));
        await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model/deeper/inner.txt", "x"));
    }

    [StoreFact]
    public async Task Rejects_writing_a_file_over_a_folder_or_the_root()
    {
        await WriteTextAsync("model/inner.txt", "x");

        var error = await AssertKind(ErrorKind.InvalidArgument, () => WriteTextAsync("model", "x"));
        await AssertKind(ErrorKind.InvalidArgument, () => Store.WriteAsync(ArtifactPath.Root, new MemoryStream([1]), Ct));

        Assert.Equal("Cannot write artifact 'model': a folder with that name exists.", error.Message);
        Assert.Equal("x", await ReadTextAsync("model/inner.txt"));
    }

    // ---------------------------------------------------------------- listing

    [StoreFact]
    public async Task Lists_direct_children_sorted_by_name_with_paths_from_the_root()
    {
        await WriteTextAsync("run/b.txt", "bb");
        await WriteTextAsync("run/a.txt", "a");
        await WriteTextAsync("run/plots/loss.png", "png");
        await WriteTextAsync("run/Z.txt", "z");

        var entries = await Store.ListAsync(ArtifactPath.Parse("run"), Ct);

        Assert.Equal(
            [
                new ArtifactEntry("run/Z.txt", false, 1),
                new ArtifactEntry("run/a.txt", false, 1),
                new ArtifactEntry("run/b.txt", false, 2),
                new ArtifactEntry("run/plots", true, null),
            ],
            entries);
        Assert.Equal([new ArtifactEntry("run/plots/loss.png", false, 3)], await Store.ListAsync(ArtifactPath.Parse("run/plots/"), Ct));
    }

    [StoreFact]
    public async Task Lists_nested_folders_one_level_at_a_time()
    {
        await WriteTextAsync("exp/run/artifacts/model/MLmodel", "flavors: {}");
        await WriteTextAsync("exp/run/artifacts/model/data/model.zip", "zip");
        await WriteTextAsync("exp/run/artifacts/model/data/schema/columns.json", "[]");
        await WriteTextAsync("exp/run/artifacts/metrics.csv", "a,b");
        await WriteTextAsync("exp/other/notes.txt", "n");

        Assert.Equal([new ArtifactEntry("exp", true, null)], await Store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal(
            [new ArtifactEntry("exp/other", true, null), new ArtifactEntry("exp/run", true, null)],
            await Store.ListAsync(ArtifactPath.Parse("exp"), Ct));
        Assert.Equal(
            [new ArtifactEntry("exp/run/artifacts/metrics.csv", false, 3), new ArtifactEntry("exp/run/artifacts/model", true, null)],
            await Store.ListAsync(ArtifactPath.Parse("exp/run/artifacts"), Ct));
        Assert.Equal(
            [new ArtifactEntry("exp/run/artifacts/model/MLmodel", false, 11), new ArtifactEntry("exp/run/artifacts/model/data", true, null)],
            await Store.ListAsync(ArtifactPath.Parse("exp/run/artifacts/model"), Ct));
        Assert.Equal(
            [new ArtifactEntry("exp/run/artifacts/model/data/model.zip", false, 3), new ArtifactEntry("exp/run/artifacts/model/data/schema", true, null)],
            await Store.ListAsync(ArtifactPath.Parse("exp/run/artifacts/model/data"), Ct));
        Assert.Equal(
            [new ArtifactEntry("exp/run/artifacts/model/data/schema/columns.json", false, 2)],
            await Store.ListAsync(ArtifactPath.Parse("exp/run/artifacts/model/data/schema"), Ct));
    }

    [StoreFact]
    public async Task Lists_a_missing_folder_or_a_file_as_empty()
    {
        Assert.Empty(await Store.ListAsync(ArtifactPath.Parse("no/such/folder"), Ct));
        Assert.Empty(await Store.ListAsync(ArtifactPath.Root, Ct));

        await WriteTextAsync("file.txt", "x");

        Assert.Empty(await Store.ListAsync(ArtifactPath.Parse("file.txt"), Ct));
    }

    // ---------------------------------------------------------------- deleting

    [StoreFact]
    public async Task Deletes_a_folder_with_its_content()
    {
        await WriteTextAsync("run/a/b/c.txt", "x");
        await WriteTextAsync("run/d.txt", "x");
        await WriteTextAsync("keep.txt", "x");

        await Store.DeleteAsync(ArtifactPath.Parse("run"), Ct);

        Assert.Equal([new ArtifactEntry("keep.txt", false, 1)], await Store.ListAsync(ArtifactPath.Root, Ct));
        Assert.Equal(["keep.txt"], await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task Deleting_a_folder_keeps_siblings_whose_names_start_the_same()
    {
        await WriteTextAsync("run/a.txt", "x");
        await WriteTextAsync("run2/b.txt", "x");
        await WriteTextAsync("run.txt", "x");

        await Store.DeleteAsync(ArtifactPath.Parse("run"), Ct);

        Assert.Equal(["run.txt", "run2/b.txt"], await StoredUnderRootAsync());
    }

    [StoreFact]
    public async Task Raises_not_found_when_deleting_a_missing_path()
    {
        var error = await AssertKind(ErrorKind.NotFound, () => Store.DeleteAsync(ArtifactPath.Parse("missing.txt"), Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteAsync(ArtifactPath.Parse("missing/child.txt"), Ct));

        Assert.Equal("Artifact 'missing.txt' does not exist.", error.Message);
    }

    [StoreFact]
    public async Task Refuses_to_delete_the_root()
    {
        await WriteTextAsync("keep.txt", "x");

        var error = await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Root, Ct));

        Assert.Equal("Refusing to delete the artifact root.", error.Message);
        Assert.Equal(["keep.txt"], await StoredUnderRootAsync());
    }

    // ---------------------------------------------------------------- confinement

    [StoreFact]
    public async Task Never_shows_or_touches_what_lies_beside_the_root()
    {
        // Names that share the root's name as a prefix catch a store that matches "root" instead of "root/".
        await PlantBesideRootAsync("outside/secret.txt", "secret");
        await PlantBesideRootAsync("root2/secret.txt", "secret");
        await PlantBesideRootAsync("rootfile", "secret");
        var before = await ReadBesideRootAsync();

        await WriteTextAsync("a.txt", "x");
        Assert.Equal([new ArtifactEntry("a.txt", false, 1)], await Store.ListAsync(ArtifactPath.Root, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.OpenReadAsync(ArtifactPath.Parse("file"), Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteAsync(ArtifactPath.Parse("2"), Ct));
        await Store.DeleteAsync(ArtifactPath.Parse("a.txt"), Ct);

        Assert.Equal(before, await ReadBesideRootAsync());
    }

    private static readonly string[] s_hostilePaths =
    [
        "../outside/secret.txt",
        "../root2/secret.txt",
        "a/../../outside/secret.txt",
        "/outside/secret.txt",
        "//outside/secret.txt",
        "..",
        "./secret.txt",
        "a//b",
        "..\\outside\\secret.txt",
        "C:/outside/secret.txt",
        "%2e%2e/outside/secret.txt",
        "..%2Foutside%2Fsecret.txt",
        "a/%2e%2e/%2e%2e/outside",
        "secret.txt?x=1",
        "secret.txt#frag",
        "a/\0/b",
        "a/\n/b",
    ];

    [StoreFact]
    public async Task Rejects_hostile_paths_for_every_operation_and_touches_nothing_outside()
    {
        await PlantBesideRootAsync("outside/secret.txt", "secret");
        await PlantBesideRootAsync("root2/secret.txt", "secret");
        var before = await ReadBesideRootAsync();

        foreach (var raw in s_hostilePaths)
        {
            // The path is parsed exactly as every caller parses it, then handed to the store.
            await AssertKind(ErrorKind.InvalidArgument, () => Store.WriteAsync(ArtifactPath.Parse(raw), new MemoryStream("planted"u8.ToArray()), Ct));
            await AssertKind(ErrorKind.InvalidArgument, () => Store.OpenReadAsync(ArtifactPath.Parse(raw), Ct));
            await AssertKind(ErrorKind.InvalidArgument, () => Store.ListAsync(ArtifactPath.Parse(raw), Ct));
            var error = await AssertKind(ErrorKind.InvalidArgument, () => Store.DeleteAsync(ArtifactPath.Parse(raw), Ct));
            Assert.StartsWith("Invalid artifact path '", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await ReadBesideRootAsync());
        Assert.Empty(await StoredUnderRootAsync());
    }

    // ---------------------------------------------------------------- helpers

    protected Task WriteTextAsync(string path, string text) =>
        Store.WriteAsync(ArtifactPath.Parse(path), new MemoryStream(Encoding.UTF8.GetBytes(text)), Ct);

    protected async Task<string> ReadTextAsync(string path) => Encoding.UTF8.GetString(await ReadAllAsync(ArtifactPath.Parse(path)));

    protected async Task<byte[]> ReadAllAsync(ArtifactPath path)
    {
        await using var stream = await Store.OpenReadAsync(path, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    protected static async Task<MlopsException> AssertKind(ErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }
}
