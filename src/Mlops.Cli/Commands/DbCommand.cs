using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Infrastructure;
using Mlops.Infrastructure.Persistence;
using Mlops.Infrastructure.Persistence.Migration;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops db ...</c>: operations on the backend store itself.</summary>
internal sealed class DbCommand : Command
{
    public DbCommand()
        : base("db", "Backend store operations: migrate between backends")
    {
        Subcommands.Add(new MigrateCommand());
    }

    /// <summary>
    /// <c>mlops db migrate --from sqlite:///... --to postgresql://...</c>: copies the whole store into an empty
    /// PostgreSQL database and verifies every table by row count and checksum. Stop the servers and workers on the
    /// SQLite store first, so nothing changes during the copy.
    /// </summary>
    private sealed class MigrateCommand : BaseCommand
    {
        private static readonly Option<string?> s_from = new("--from") { Description = "The SQLite store to copy (default: $MLOPS_HOME/mlops.db)" };
        private static readonly Option<string> s_to = new("--to") { Description = "An empty PostgreSQL database: postgresql://user:pass@host:5432/db", Required = true };
        private static readonly Option<string?> s_home = new("--home") { Description = "Data directory of the default store (default: $MLOPS_HOME, else ~/.mlops)" };

        public MigrateCommand()
            : base("migrate", "Copy everything from a SQLite store into an empty PostgreSQL database, verified by counts and checksums", usesServer: false)
        {
            Options.Add(s_from);
            Options.Add(s_to);
            Options.Add(s_home);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            var from = StoreUri.Parse(parseResult.GetValue(s_from) ?? new MlopsStorageOptions { Home = parseResult.GetValue(s_home) }.ResolveBackendStoreUri());
            var to = StoreUri.Parse(parseResult.GetValue(s_to)!);
            if (from.Kind != StoreKind.Sqlite || to.Kind != StoreKind.Postgres)
            {
                output.Error("Migration copies a sqlite:/// store into a postgresql:// database; other directions are not supported.");
                return ExitCodes.InvalidArgument;
            }

            output.Note($"Copying {from.Target} into {PostgresConnectionString.Redacted(to.Target)} ...");
            var report = await SqliteToPostgresCopier.CopyAsync(from.Target, PostgresConnectionString.FromUri(to.Target), output.Note, cancellationToken);
            output.Table(["Table", "Rows", "Checksum (SHA-256)", "Verified"], report.Select(t => (IReadOnlyList<string>)[
                t.Table, t.TargetRows.ToString("N0", CultureInfo.InvariantCulture), t.TargetChecksum[..16], t.Verified ? "yes" : $"NO (source {t.SourceRows:N0} rows, {t.SourceChecksum[..16]})"]));
            if (report.Any(t => !t.Verified))
            {
                output.Error("Some tables differ after the copy; do not switch to the new database.");
                return ExitCodes.Failure;
            }

            output.Line($"Copied {report.Sum(t => t.TargetRows):N0} rows in {report.Count} tables; every table verified. " +
                "Point servers and workers at the new database with --backend-store-uri; artifacts stay where they are.");
            return ExitCodes.Success;
        }
    }
}
