using Mlops.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>What the stores rely on from <see cref="PostgresDatabase"/>: retried transactions and consistent reads.</summary>
[RequiresPostgres]
public sealed class PostgresDatabaseTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Runs_a_write_again_when_its_connection_is_killed_before_commit()
    {
        await using var db = database.Open();
        var attempts = 0;

        await db.WriteAsync(async (connection, transaction) =>
        {
            attempts++;
            await new NpgsqlCommand("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (0, 'killed', 'once')", connection, transaction).ExecuteNonQueryAsync(Ct);
            if (attempts == 1)
            {
                await new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", connection, transaction).ExecuteNonQueryAsync(Ct);
            }
        }, Ct);

        Assert.Equal(2, attempts);
        Assert.Equal(1L, database.Scalar("SELECT COUNT(*) FROM experiment_tags WHERE key = 'killed'"));
    }

    [Fact]
    public async Task Runs_a_write_again_when_it_loses_a_deadlock()
    {
        await using var db = database.Open();
        await db.WriteAsync(async (c, t) => await new NpgsqlCommand(
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (0, 'a', '0'), (0, 'b', '0') ON CONFLICT DO NOTHING", c, t).ExecuteNonQueryAsync(Ct), Ct);
        using var bothLockedOne = new Barrier(2);
        var attempts = 0;

        // Each transaction locks one row, waits for the other to do the same, then wants the other's row.
        Task Crossed(string first, string second) => Task.Run(() => db.WriteAsync(async (c, t) =>
        {
            Interlocked.Increment(ref attempts);
            await new NpgsqlCommand($"UPDATE experiment_tags SET value = value || '+' WHERE experiment_id = 0 AND key = '{first}'", c, t).ExecuteNonQueryAsync(Ct);
            bothLockedOne.SignalAndWait(TimeSpan.FromSeconds(5));
            await new NpgsqlCommand($"UPDATE experiment_tags SET value = value || '+' WHERE experiment_id = 0 AND key = '{second}'", c, t).ExecuteNonQueryAsync(Ct);
        }, Ct));

        await Task.WhenAll(Crossed("a", "b"), Crossed("b", "a"));

        Assert.True(attempts >= 3, $"{attempts} attempts: the deadlock victim should have run again");
        Assert.Equal("0++", database.Scalar("SELECT value FROM experiment_tags WHERE experiment_id = 0 AND key = 'a'"));
        Assert.Equal("0++", database.Scalar("SELECT value FROM experiment_tags WHERE experiment_id = 0 AND key = 'b'"));
    }

    [Fact]
    public async Task Reads_every_statement_of_a_read_from_one_snapshot()
    {
        await using var db = database.Open();
        await using var writer = database.Open();

        var (before, after) = await db.ReadAsync(async (c, t) =>
        {
            var first = (long)(await new NpgsqlCommand("SELECT COUNT(*) FROM experiments", c, t).ExecuteScalarAsync(Ct))!;
            await writer.WriteAsync(async (wc, wt) => await new NpgsqlCommand(
                $"INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ('snapshot-{Guid.NewGuid():N}', '', 0, 0)", wc, wt).ExecuteNonQueryAsync(Ct), Ct);
            var second = (long)(await new NpgsqlCommand("SELECT COUNT(*) FROM experiments", c, t).ExecuteScalarAsync(Ct))!;
            return (first, second);
        }, Ct);

        Assert.Equal(before, after);
    }
}
