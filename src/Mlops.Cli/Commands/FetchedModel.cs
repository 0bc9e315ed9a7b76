using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client;

namespace Mlops.Cli.Commands;

/// <summary>A model package on local disk: a folder the user named, or a download (hash checked later) removed on dispose.</summary>
internal sealed class FetchedModel(string folder, string? expectedMlModelSha256, bool temporary) : IDisposable
{
    public string Folder { get; } = folder;

    public string? ExpectedMlModelSha256 { get; } = expectedMlModelSha256;

    public void Dispose()
    {
        if (temporary && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>A local package folder as is, or a model URI resolved and downloaded through the tracking server.</summary>
    public static async Task<FetchedModel> FetchAsync(string model, ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        if (Directory.Exists(model))
        {
            return new FetchedModel(Path.GetFullPath(model), null, temporary: false);
        }

        using var client = new MlopsClient(parseResult.GetValue(CommonOptions.TrackingUri)!);
        var download = Directory.CreateTempSubdirectory("mlops-model-").FullName;
        try
        {
            var resolved = await client.DownloadModelAsync(model, download, cancellationToken);
            output.Note($"Resolved {model} to {resolved.ArtifactUri}" + (resolved.ModelVersion is { } v ? $" ({v.Name} version {v.Version})" : ""));
            return new FetchedModel(download, resolved.ModelVersion?.Tags?.FirstOrDefault(t => t.Key == "mlops.mlmodel_sha256")?.Value, temporary: true);
        }
        catch
        {
            Directory.Delete(download, recursive: true);
            throw;
        }
    }
}
