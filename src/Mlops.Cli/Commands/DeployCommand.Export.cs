using System.CommandLine;
using Mlops.Cli.Commands.Export;
using Mlops.Cli.Output;

namespace Mlops.Cli.Commands;

internal sealed partial class DeployCommand
{
    /// <summary>
    /// <c>mlops deploy export NAME --format docker|kubernetes --output DIR</c>: writes what runs the endpoint's primary
    /// revision on a cluster: the model package, this `mlops` binary, a Dockerfile and (for kubernetes) manifests.
    /// </summary>
    private sealed class ExportCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<string> s_format = new Option<string>("--format") { Description = "docker or kubernetes", DefaultValueFactory = _ => "kubernetes" }
            .AcceptOnlyFromAmong("docker", "kubernetes");
        private static readonly Option<string> s_output = new("--output", "-o") { Description = "Folder to write (created; must be empty if it exists)", Required = true };
        private static readonly Option<string?> s_image = new("--image") { Description = "Image name the manifests use (default: mlops-<endpoint>:<model>-v<version>)" };
        private static readonly Option<int> s_pods = new("--pods") { Description = "Kubernetes pods for the Deployment", DefaultValueFactory = _ => 2 };

        public ExportCommand()
            : base("export", "Write a Dockerfile and Kubernetes manifests that run an endpoint's primary model with `mlops serve`")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_format);
            Options.Add(s_output);
            Options.Add(s_image);
            Options.Add(s_pods);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            var target = Path.GetFullPath(parseResult.GetValue(s_output)!);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            {
                output.Error($"{target} is not empty; export into a new folder.");
                return ExitCodes.InvalidArgument;
            }

            var pods = parseResult.GetValue(s_pods);
            if (pods is < 1 or > 1000)
            {
                output.Error("--pods must be between 1 and 1000.");
                return ExitCodes.UsageError;
            }

            using var client = CreateClient(parseResult);
            var endpoint = await client.GetEndpointAsync(parseResult.GetValue(s_endpoint)!, cancellationToken);
            var primary = endpoint.Revisions?.FirstOrDefault(r => r.State == "live" && r.Role == "primary");
            if (primary?.ModelName is not { } modelName || primary.ModelVersion is not { } version)
            {
                output.Error($"Endpoint '{endpoint.Name}' has no live primary serving a registered model version; deploy one first.");
                return ExitCodes.InvalidArgument;
            }

            var spec = new ExportSpec(endpoint.Name!, modelName, version,
                parseResult.GetValue(s_image) ?? $"mlops-{endpoint.Name}:{Sanitize(modelName)}-v{version}", primary.Replicas, pods);
            var files = parseResult.GetValue(s_format) == "docker" ? EndpointExport.Docker(spec) : EndpointExport.Kubernetes(spec);
            Directory.CreateDirectory(target);
            using (var fetched = await FetchedModel.FetchAsync($"models:/{modelName}/{version}", parseResult, output, cancellationToken))
            {
                CopyFolder(fetched.Folder, Path.Combine(target, EndpointExport.ModelFolder));
            }

            // The image runs this very build of mlops, so the container serves the model exactly as it was health-checked.
            CopyFolder(AppContext.BaseDirectory, Path.Combine(target, EndpointExport.BinaryFolder));
            foreach (var (path, content) in files)
            {
                var file = Path.Combine(target, path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, content, cancellationToken);
            }

            output.Line($"Exported endpoint '{endpoint.Name}' (revision {primary.Number}: {modelName} version {version}) to {target}.");
            output.Line($"  docker build -t {spec.Image} {target}");
            if (files.ContainsKey("kubernetes/deployment.yaml"))
            {
                output.Line($"  docker push {spec.Image} && kubectl apply -f {Path.Combine(target, "kubernetes")}");
            }

            if (endpoint.Revisions!.Any(r => r.State == "live" && r.Role != "primary"))
            {
                output.Note("Only the primary is exported; canaries and shadows stay in `mlops server`.");
            }

            return ExitCodes.Success;
        }

        private static string Sanitize(string name) =>
            new([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-')]);

        private static void CopyFolder(string source, string target)
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
    }
}
