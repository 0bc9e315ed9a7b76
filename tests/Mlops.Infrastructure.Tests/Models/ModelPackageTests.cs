using System.Security.Cryptography;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Models;

public sealed class ModelPackageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _folder;

    public ModelPackageTests()
    {
        _folder = _temp.Combine("model");
        Directory.CreateDirectory(Path.Combine(_folder, "sub", "deeper"));
        File.WriteAllBytes(Path.Combine(_folder, "model.zip"), RandomBytes(300_000, seed: 1));
        File.WriteAllText(Path.Combine(_folder, "input_example.json"), """{"columns": ["x"], "data": [[1.5]]}""");
        File.WriteAllBytes(Path.Combine(_folder, "sub", "deeper", "weights file.bin"), RandomBytes(1000, seed: 2));
        File.WriteAllText(Path.Combine(_folder, "sub", "MLmodel"), "a nested MLmodel is an ordinary file");
        File.WriteAllBytes(Path.Combine(_folder, "empty.txt"), []);
    }

    public void Dispose() => _temp.Dispose();

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static ModelDescriptor Draft() => new()
    {
        RunId = "abc123",
        ArtifactPath = "model",
        ModelUuid = "0123456789abcdef0123456789abcdef",
        UtcTimeCreated = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
        Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForMlNet("5.0.1")),
        InputExampleFile = "input_example.json",
    };

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private string MlModelPath => Path.Combine(_folder, ModelDescriptor.FileName);

    private void RewriteMlModel(Func<ModelDescriptor, ModelDescriptor> change) =>
        File.WriteAllText(MlModelPath, MlModelFile.Write(change(MlModelFile.Read(File.ReadAllText(MlModelPath)))));

    private MlopsException VerifyFails(string? expectedMlModelSha256 = null)
    {
        var error = Assert.Throws<MlopsException>(() => ModelPackage.Verify(_folder, expectedMlModelSha256));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    [Fact]
    public void Seal_records_the_sha256_of_every_file_except_the_top_level_mlmodel()
    {
        var sealedDescriptor = ModelPackage.Seal(_folder, Draft());

        Assert.Equal(
            ["empty.txt", "input_example.json", "model.zip", "sub/MLmodel", "sub/deeper/weights file.bin"],
            sealedDescriptor.FileHashes.Keys.Order(StringComparer.Ordinal));
        foreach (var (relative, hash) in sealedDescriptor.FileHashes)
        {
            Assert.Equal(Sha256Of(Path.Combine(_folder, relative)), hash);
        }

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sealedDescriptor.FileHashes["empty.txt"]);
        Assert.True(File.Exists(MlModelPath));
        Assert.Equal(["MLmodel", "empty.txt", "input_example.json", "model.zip", "sub"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Verify_returns_the_sealed_descriptor_of_an_untouched_package()
    {
        var sealedDescriptor = ModelPackage.Seal(_folder, Draft());

        var verified = ModelPackage.Verify(_folder, ModelPackage.HashFile(MlModelPath));

        Assert.Equal(sealedDescriptor.FileHashes.OrderBy(p => p.Key), verified.FileHashes.OrderBy(p => p.Key));
        Assert.Equal("abc123", verified.RunId);
        Assert.Equal("model", verified.ArtifactPath);
        Assert.Equal("model.zip", verified.Flavors[ModelFlavor.MlNet].GetProperty(ModelFlavor.MlNetModelFileKey));
    }

    [Fact]
    public void Sealing_again_replaces_the_previous_mlmodel_without_hashing_it()
    {
        ModelPackage.Seal(_folder, Draft());
        File.WriteAllText(Path.Combine(_folder, "added.txt"), "new");

        var resealed = ModelPackage.Seal(_folder, Draft() with { RunId = "other" });

        Assert.Contains("added.txt", resealed.FileHashes.Keys);
        Assert.DoesNotContain(ModelDescriptor.FileName, resealed.FileHashes.Keys);
        Assert.Equal("other", ModelPackage.Verify(_folder).RunId);
    }

    [Fact]
    public void Verify_names_a_file_with_one_changed_byte()
    {
        ModelPackage.Seal(_folder, Draft());
        var path = Path.Combine(_folder, "sub", "deeper", "weights file.bin");
        var expected = Sha256Of(path);
        var bytes = File.ReadAllBytes(path);
        bytes[500] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = VerifyFails();

        Assert.Equal($"sub/deeper/weights file.bin: content hash mismatch, expected {expected} got {Sha256Of(path)}.", error.Message);
    }

    [Fact]
    public void Verify_names_a_deleted_file()
    {
        ModelPackage.Seal(_folder, Draft());
        File.Delete(Path.Combine(_folder, "model.zip"));

        var error = VerifyFails();

        Assert.Equal("model.zip: listed in MLmodel but missing from the package.", error.Message);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("sub/../../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("sub\\..\\..\\outside.txt")]
    [InlineData("./model.zip")]
    [InlineData("sub//deeper/weights file.bin")]
    public void Verify_rejects_a_listed_path_that_could_escape_the_folder(string listed)
    {
        File.WriteAllText(_temp.Combine("outside.txt"), "outside");
        ModelPackage.Seal(_folder, Draft());
        RewriteMlModel(d => d with { FileHashes = new Dictionary<string, string>(d.FileHashes) { [listed] = Sha256Of(_temp.Combine("outside.txt")) } });

        var error = VerifyFails();

        Assert.StartsWith(listed + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains("escapes the package folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_mlmodel_listing_itself()
    {
        ModelPackage.Seal(_folder, Draft());
        RewriteMlModel(d => d with { FileHashes = new Dictionary<string, string>(d.FileHashes) { ["MLmodel"] = new string('0', 64) } });

        Assert.StartsWith("MLmodel: ", VerifyFails().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_an_mlmodel_without_file_hashes()
    {
        File.WriteAllText(MlModelPath, MlModelFile.Write(Draft()));

        var error = VerifyFails();

        Assert.StartsWith("MLmodel: no file hashes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_a_loadable_file_that_the_hashes_do_not_cover()
    {
        ModelPackage.Seal(_folder, Draft());
        RewriteMlModel(d => d with { FileHashes = d.FileHashes.Where(p => p.Key != "model.zip").ToDictionary() });

        var error = VerifyFails();

        Assert.Equal("model.zip: named in MLmodel but not in the package's file hashes.", error.Message);
    }

    [Fact]
    public void Verify_rejects_a_rewritten_mlmodel_when_the_caller_knows_its_hash()
    {
        ModelPackage.Seal(_folder, Draft());
        var registered = ModelPackage.HashFile(MlModelPath);
        File.WriteAllBytes(Path.Combine(_folder, "model.zip"), RandomBytes(10, seed: 3));
        ModelPackage.Seal(_folder, Draft());

        ModelPackage.Verify(_folder);
        var error = VerifyFails(registered);

        Assert.StartsWith($"MLmodel: content hash mismatch, expected {registered} got ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_a_folder_without_mlmodel_and_reports_a_missing_folder_as_not_found()
    {
        Assert.StartsWith("MLmodel: not found", VerifyFails().Message, StringComparison.Ordinal);

        var missing = Assert.Throws<MlopsException>(() => ModelPackage.Verify(_temp.Combine("nope")));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
    }

    [Fact]
    public void Verify_rejects_malformed_yaml_in_mlmodel()
    {
        File.WriteAllText(MlModelPath, "flavors: [\n");

        Assert.StartsWith("MLmodel: malformed YAML", VerifyFails().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_refuses_a_package_that_misses_the_model_file_its_flavor_names()
    {
        File.Delete(Path.Combine(_folder, "model.zip"));

        var error = Assert.Throws<MlopsException>(() => ModelPackage.Seal(_folder, Draft()));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("model.zip: named in MLmodel but not in the package's file hashes.", error.Message);
        Assert.False(File.Exists(MlModelPath));
    }

    [Fact]
    public void Seal_refuses_a_symbolic_link_in_the_folder()
    {
        File.WriteAllText(_temp.Combine("secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_folder, "sub", "link.txt"), _temp.Combine("secret.txt"));

        var error = Assert.Throws<MlopsException>(() => ModelPackage.Seal(_folder, Draft()));

        Assert.Equal("sub/link.txt: symbolic links are not allowed in a model package.", error.Message);
    }

    [Fact]
    public void Verify_refuses_a_listed_file_replaced_by_a_symbolic_link()
    {
        ModelPackage.Seal(_folder, Draft());
        var zip = Path.Combine(_folder, "model.zip");
        File.Move(zip, _temp.Combine("model.zip"));
        File.CreateSymbolicLink(zip, _temp.Combine("model.zip"));

        Assert.Equal("model.zip: symbolic links are not allowed in a model package.", VerifyFails().Message);
    }

    [Fact]
    public void OpenVerified_checks_the_hash_again_on_the_handle_it_returns()
    {
        var descriptor = ModelPackage.Seal(_folder, Draft());

        using (var stream = ModelPackage.OpenVerified(_folder, descriptor, "model.zip"))
        {
            Assert.Equal(0, stream.Position);
            Assert.Equal(300_000, stream.Length);
        }

        File.WriteAllBytes(Path.Combine(_folder, "model.zip"), RandomBytes(300_000, seed: 4));
        var error = Assert.Throws<MlopsException>(() => ModelPackage.OpenVerified(_folder, descriptor, "model.zip"));
        Assert.StartsWith("model.zip: content hash mismatch", error.Message, StringComparison.Ordinal);

        var unlisted = Assert.Throws<MlopsException>(() => ModelPackage.OpenVerified(_folder, descriptor, "not-listed.bin"));
        Assert.StartsWith("not-listed.bin: not listed", unlisted.Message, StringComparison.Ordinal);
    }
}
