using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;
using Mlops.Infrastructure.Models;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops models ...</c>: the model registry.</summary>
internal sealed class ModelsCommand : Command
{
    public ModelsCommand()
        : base("models", "Registered models: create, list, inspect, register versions, aliases, stages, lineage, download")
    {
        Subcommands.Add(new CreateCommand());
        Subcommands.Add(new ListCommand());
        Subcommands.Add(new GetCommand());
        Subcommands.Add(new VersionsCommand());
        Subcommands.Add(new RegisterCommand());
        Subcommands.Add(new AliasCommand());
        Subcommands.Add(new StageCommand());
        Subcommands.Add(new DeleteCommand());
        Subcommands.Add(new LineageCommand());
        Subcommands.Add(new DownloadCommand());
    }

    private static Argument<string> NameArgument() => new("name") { Description = "Registered model name" };

    private static Argument<string> VersionArgument() => new("version") { Description = "Version number" };

    private static IReadOnlyList<string> VersionRow(ModelVersionDto v) =>
        [v.Version, v.CurrentStage ?? "", string.Join(",", v.Aliases ?? []), v.RunId ?? "", Format.Time(v.CreationTimestamp), v.Source ?? ""];

    private static readonly string[] s_versionHeaders = ["Version", "Stage", "Aliases", "Run id", "Created (UTC)", "Source"];

    private sealed class CreateCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Option<string?> s_description = new("--description", "-d") { Description = "What the model is for" };

        public CreateCommand()
            : base("create", "Create a registered model")
        {
            Arguments.Add(s_name);
            Options.Add(s_description);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var model = await client.CreateRegisteredModelAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_description), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new RegisteredModelResponse { RegisteredModel = model }, MlflowJsonContext.Default.RegisteredModelResponse);
            }
            else
            {
                output.Line($"Created registered model '{model.Name}'");
            }

            return ExitCodes.Success;
        }
    }

    private sealed class ListCommand : BaseCommand
    {
        private static readonly Option<string?> s_filter = new("--filter", "-f") { Description = "Filter, e.g. \"name LIKE 'churn%'\"" };

        public ListCommand()
            : base("list", "List registered models")
        {
            Options.Add(s_filter);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var all = new List<RegisteredModelDto>();
            string? token = null;
            do
            {
                var page = await client.SearchRegisteredModelsAsync(parseResult.GetValue(s_filter), 1000, token, cancellationToken);
                all.AddRange(page.RegisteredModels ?? []);
                token = page.NextPageToken;
            }
            while (token is not null);

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new SearchRegisteredModelsResponse { RegisteredModels = all }, MlflowJsonContext.Default.SearchRegisteredModelsResponse);
                return ExitCodes.Success;
            }

            if (all.Count == 0)
            {
                output.Line("No registered models found.");
                return ExitCodes.Success;
            }

            output.Table(["Name", "Latest version", "Aliases", "Updated (UTC)", "Description"], all.Select(m => (IReadOnlyList<string>)[
                m.Name,
                m.LatestVersions?.Select(v => long.Parse(v.Version, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty().Max().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                string.Join(", ", (m.Aliases ?? []).Select(a => $"{a.Alias}={a.Version}")),
                Format.Time(m.LastUpdatedTimestamp),
                m.Description ?? ""]));
            return ExitCodes.Success;
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public GetCommand()
            : base("get", "Show a registered model: description, tags, aliases, latest version per stage")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var model = await client.GetRegisteredModelAsync(parseResult.GetValue(s_name)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new RegisteredModelResponse { RegisteredModel = model }, MlflowJsonContext.Default.RegisteredModelResponse);
                return ExitCodes.Success;
            }

            var pairs = new List<(string, string)>
            {
                ("Name", model.Name),
                ("Description", model.Description ?? ""),
                ("Created (UTC)", Format.Time(model.CreationTimestamp)),
                ("Updated (UTC)", Format.Time(model.LastUpdatedTimestamp)),
            };
            pairs.AddRange((model.Aliases ?? []).Select(a => ("@" + a.Alias, "version " + a.Version)));
            pairs.AddRange((model.LatestVersions ?? []).Select(v => ("latest " + v.CurrentStage, "version " + v.Version)));
            pairs.AddRange((model.Tags ?? []).Select(t => ("tags." + t.Key, t.Value ?? "")));
            output.Details(pairs);
            return ExitCodes.Success;
        }
    }

    private sealed class VersionsCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public VersionsCommand()
            : base("versions", "List the versions of a model, newest first")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var name = parseResult.GetValue(s_name)!;
            _ = await client.GetRegisteredModelAsync(name, cancellationToken);
            var versions = new List<ModelVersionDto>();
            string? token = null;
            do
            {
                var page = await client.SearchModelVersionsAsync($"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'", 10_000, token, cancellationToken);
                versions.AddRange(page.ModelVersions ?? []);
                token = page.NextPageToken;
            }
            while (token is not null);

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new ModelVersionsResponse { ModelVersions = versions }, MlflowJsonContext.Default.ModelVersionsResponse);
                return ExitCodes.Success;
            }

            if (versions.Count == 0)
            {
                output.Line($"Model '{name}' has no versions yet; register one with `mlops models register {name} --source runs:/<run-id>/model`.");
                return ExitCodes.Success;
            }

            output.Table(s_versionHeaders, versions.Select(VersionRow));
            return ExitCodes.Success;
        }
    }

    private sealed class RegisterCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Option<string> s_source = new("--source", "-s") { Description = "runs:/<run-id>/<path> or mlflow-artifacts:/<path> on this server", Required = true };
        private static readonly Option<string?> s_description = new("--description", "-d") { Description = "What changed in this version" };
        private static readonly Option<string?> s_alias = new("--alias") { Description = "Point this alias (e.g. champion) at the new version" };

        public RegisterCommand()
            : base("register", "Register a new version of a model (creating the model if needed)")
        {
            Arguments.Add(s_name);
            Options.Add(s_source);
            Options.Add(s_description);
            Options.Add(s_alias);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var name = parseResult.GetValue(s_name)!;
            var alias = parseResult.GetValue(s_alias);
            if (alias is not null)
            {
                // Checked before anything is written, so a bad alias leaves no new version behind.
                Domain.Registry.ModelManagementService.ValidateAlias(alias);
            }

            var version = await client.RegisterModelAsync(parseResult.GetValue(s_source)!, name, parseResult.GetValue(s_description), cancellationToken);
            if (alias is { Length: > 0 })
            {
                await client.SetRegisteredModelAliasAsync(name, alias, version.Version, cancellationToken);
                version = await client.GetModelVersionAsync(name, version.Version, cancellationToken);
            }

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new ModelVersionResponse { ModelVersion = version }, MlflowJsonContext.Default.ModelVersionResponse);
            }
            else
            {
                output.Line($"Registered '{name}' version {version.Version} from {version.Source}" + (version.Aliases is { Count: > 0 } a ? $" (@{string.Join(", @", a)})" : ""));
            }

            return ExitCodes.Success;
        }
    }

    private sealed class AliasCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Argument<string> s_alias = new("alias") { Description = "Alias, e.g. champion" };
        private static readonly Argument<string?> s_version = new("version") { Description = "Version to point the alias at (omit with --delete)", Arity = ArgumentArity.ZeroOrOne };
        private static readonly Option<bool> s_delete = new("--delete") { Description = "Remove the alias" };

        public AliasCommand()
            : base("alias", "Point an alias at a version (moving it atomically), or remove it")
        {
            Arguments.Add(s_name);
            Arguments.Add(s_alias);
            Arguments.Add(s_version);
            Options.Add(s_delete);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var name = parseResult.GetValue(s_name)!;
            var alias = parseResult.GetValue(s_alias)!;
            var version = parseResult.GetValue(s_version);
            if (parseResult.GetValue(s_delete) == !string.IsNullOrEmpty(version))
            {
                output.Error("Pass a version to set the alias, or --delete to remove it.");
                return ExitCodes.UsageError;
            }

            if (parseResult.GetValue(s_delete))
            {
                await client.DeleteRegisteredModelAliasAsync(name, alias, cancellationToken);
                output.Line($"Removed alias @{alias} from '{name}'");
            }
            else
            {
                await client.SetRegisteredModelAliasAsync(name, alias, version!, cancellationToken);
                output.Line($"'{name}@{alias}' now points at version {version}");
            }

            return ExitCodes.Success;
        }
    }

    private sealed class StageCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Argument<string> s_version = VersionArgument();
        private static readonly Argument<string> s_stage = new("stage") { Description = "None, Staging, Production or Archived" };
        private static readonly Option<bool> s_archiveExisting = new("--archive-existing") { Description = "Move the versions currently in that stage to Archived" };

        public StageCommand()
            : base("stage", "Move a version to a stage")
        {
            Arguments.Add(s_name);
            Arguments.Add(s_version);
            Arguments.Add(s_stage);
            Options.Add(s_archiveExisting);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var version = await client.TransitionModelVersionStageAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_version)!, parseResult.GetValue(s_stage)!,
                parseResult.GetValue(s_archiveExisting), cancellationToken);
            output.Line($"'{version.Name}' version {version.Version} is now in stage {version.CurrentStage}");
            return ExitCodes.Success;
        }
    }

    private sealed class DeleteCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Argument<string?> s_version = new("version") { Description = "Delete only this version", Arity = ArgumentArity.ZeroOrOne };
        private static readonly Option<bool> s_yes = new("--yes", "-y") { Description = "Confirm: deletion cannot be undone (it is recorded in the registry audit)" };

        public DeleteCommand()
            : base("delete", "Delete a model with all its versions, or one version")
        {
            Arguments.Add(s_name);
            Arguments.Add(s_version);
            Options.Add(s_yes);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            var name = parseResult.GetValue(s_name)!;
            var version = parseResult.GetValue(s_version);
            var what = version is null ? $"model '{name}' and all its versions" : $"version {version} of '{name}'";
            if (!parseResult.GetValue(s_yes))
            {
                output.Error($"This deletes {what} for good. Run again with --yes to confirm.");
                return ExitCodes.UsageError;
            }

            using var client = CreateClient(parseResult);
            if (version is null)
            {
                await client.DeleteRegisteredModelAsync(name, cancellationToken);
            }
            else
            {
                await client.DeleteModelVersionAsync(name, version, cancellationToken);
            }

            output.Line($"Deleted {what}");
            return ExitCodes.Success;
        }
    }

    private sealed class LineageCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Argument<string> s_version = VersionArgument();

        public LineageCommand()
            : base("lineage", "Where a version came from: run, experiment, params, metrics and datasets")
        {
            Arguments.Add(s_name);
            Arguments.Add(s_version);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var lineage = await client.GetModelLineageAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_version)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(lineage, MlflowJsonContext.Default.ModelLineageResponse);
                return ExitCodes.Success;
            }

            var version = lineage.ModelVersion!;
            var pairs = new List<(string, string)>
            {
                ("Model", $"{version.Name} version {version.Version} ({version.CurrentStage}{(version.Aliases is { Count: > 0 } a ? ", @" + string.Join(", @", a) : "")})"),
                ("Source", version.Source ?? ""),
                ("Run", lineage.Run is null ? "(no run recorded)" : $"{lineage.Run.Info.RunName} ({lineage.Run.Info.RunId}), {lineage.Run.Info.Status}"),
                ("Experiment", lineage.Experiment is null ? "" : $"{lineage.Experiment.Name} ({lineage.Experiment.ExperimentId})"),
            };
            if (lineage.Run is { } run)
            {
                pairs.AddRange((run.Data.Params ?? []).Select(p => ("params." + p.Key, p.Value ?? "")));
                pairs.AddRange((run.Data.Metrics ?? []).Select(m => ("metrics." + m.Key, Format.Number(m.Value))));
                pairs.AddRange((run.Inputs?.DatasetInputs ?? []).Select(d => ("dataset", $"{d.Dataset?.Name} (digest {d.Dataset?.Digest}, {d.Dataset?.SourceType})")));
            }

            if (lineage.Signature is { } signature)
            {
                pairs.Add(("signature.inputs", Columns(signature.Inputs)));
                pairs.Add(("signature.outputs", Columns(signature.Outputs)));
            }

            output.Details(pairs);
            return ExitCodes.Success;
        }
    }

    private static string Columns(List<ColumnSpecDto>? columns)
    {
        var all = (columns ?? []).Select(c => $"{c.Name}:{c.Type}").ToList();
        return all.Count <= 6 ? string.Join(", ", all) : $"{string.Join(", ", all.Take(6))}, ... ({all.Count} columns)";
    }

    private sealed class DownloadCommand : BaseCommand
    {
        private static readonly Argument<string> s_uri = new("model-uri") { Description = "models:/name/3, models:/name@champion, models:/name/Production, models:/name/latest or runs:/<run-id>/<path>" };
        private static readonly Option<string> s_output = new("--output", "-o") { Description = "Folder to write the model's files into", Required = true };

        public DownloadCommand()
            : base("download", "Download a model's files and check their content hashes")
        {
            Arguments.Add(s_uri);
            Options.Add(s_output);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var destination = Path.GetFullPath(parseResult.GetValue(s_output)!);
            if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            {
                output.Error($"The output folder {destination} is not empty; choose a new or empty folder.");
                return ExitCodes.UsageError;
            }

            // Download beside the destination and move into place only once verified: a tampered model never
            // appears where a deployment script would pick it up.
            var staging = destination.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var resolved = await client.DownloadModelAsync(parseResult.GetValue(s_uri)!, staging, cancellationToken);
                var check = Verify(staging, resolved);
                if (Directory.Exists(destination))
                {
                    Directory.Delete(destination);
                }

                Directory.Move(staging, destination);
                var version = resolved.ModelVersion is { } v ? $"{v.Name} version {v.Version}" : resolved.Uri;
                output.Line($"Downloaded {version} from {resolved.ArtifactUri} to {destination}");
                output.Line(check);
                return ExitCodes.Success;
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }

        private static string Verify(string folder, ResolvedModelResponse resolved)
        {
            var descriptorPath = Path.Combine(folder, "MLmodel");
            if (!File.Exists(descriptorPath))
            {
                return "No MLmodel descriptor in this folder, so there are no content hashes to check.";
            }

            if (MlModelFile.Read(File.ReadAllText(descriptorPath)).FileHashes.Count == 0)
            {
                return "MLmodel lists no content hashes (the model was not packaged by Mlops), so its files were not verified.";
            }

            var expected = resolved.ModelVersion?.Tags?.FirstOrDefault(t => t.Key == "mlops.mlmodel_sha256")?.Value;
            var descriptor = ModelPackage.Verify(folder, expected);
            return $"Verified {descriptor.FileHashes.Count} file(s) against the content hashes in MLmodel (flavors: {string.Join(", ", descriptor.Flavors.Keys)}).";
        }
    }
}
