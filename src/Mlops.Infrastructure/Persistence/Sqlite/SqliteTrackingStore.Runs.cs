using Microsoft.Data.Sqlite;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Persistence.Sqlite;

public sealed partial class SqliteTrackingStore
{
    private const string RunColumns = "r.run_pk, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

    public Task CreateRunAsync(RunInfo info, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var experimentId = ParseId(info.ExperimentId);
            if (Scalar(connection, transaction, "SELECT 1 FROM experiments WHERE experiment_id = $id", ("$id", experimentId)) is null)
            {
                throw MlopsException.NotFound($"No Experiment with id={info.ExperimentId} exists");
            }

            if (Scalar(connection, transaction, "SELECT 1 FROM runs WHERE run_uuid = $id", ("$id", info.RunId)) is not null)
            {
                throw MlopsException.AlreadyExists($"Run with id={info.RunId} already exists.");
            }

            var runPk = (long)Scalar(connection, transaction,
                "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) " +
                "VALUES ($id, $experiment, $name, $user, $status, $start, NULL, $uri, 'active') RETURNING run_pk",
                ("$id", info.RunId), ("$experiment", experimentId), ("$name", info.RunName), ("$user", info.UserId),
                ("$status", info.Status.ToWire()), ("$start", info.StartTime), ("$uri", info.ArtifactUri))!;
            UpsertTags(connection, transaction, runPk, tags);
        }, cancellationToken);

    public Task<RunInfo?> GetRunInfoAsync(string runId, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {RunColumns} FROM runs r WHERE r.run_uuid = $id";
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadRunInfo(reader).Info : null);
    }

    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var runs = database.Read(connection => ReadRuns(connection, "WHERE r.run_uuid = $id", [("$id", runId)]));
        return Task.FromResult(runs.Count == 0 ? null : runs[0]);
    }

    public Task UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var runPk = RequireRun(connection, transaction, runId, requireActive: false).RunPk;
            Execute(connection, transaction,
                "UPDATE runs SET status = COALESCE($status, status), end_time = COALESCE($end, end_time), name = COALESCE($name, name) WHERE run_pk = $pk",
                ("$status", (object?)status?.ToWire() ?? DBNull.Value), ("$end", (object?)endTime ?? DBNull.Value),
                ("$name", (object?)runName ?? DBNull.Value), ("$pk", runPk));
            if (runName is not null)
            {
                UpsertTags(connection, transaction, runPk, [new Tag(SystemTags.RunName, runName)]);
            }
        }, cancellationToken);

    public Task SetRunLifecycleAsync(string runId, LifecycleStage stage, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var runPk = RequireRun(connection, transaction, runId, requireActive: false).RunPk;
            Execute(connection, transaction, "UPDATE runs SET lifecycle_stage = $stage, deleted_time = $deleted WHERE run_pk = $pk",
                ("$stage", stage.ToWire()), ("$deleted", stage == LifecycleStage.Deleted ? now : DBNull.Value), ("$pk", runPk));
        }, cancellationToken);

    public Task DeleteRunTagAsync(string runId, string key, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var runPk = RequireRun(connection, transaction, runId, requireActive: true).RunPk;
            if (Execute(connection, transaction, "DELETE FROM tags WHERE run_pk = $pk AND key = $key", ("$pk", runPk), ("$key", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with name: {key} in run with id {runId}");
            }
        }, cancellationToken);

    public Task LogBatchAsync(LogBatch batch, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var runPk = RequireRun(connection, transaction, batch.RunId, requireActive: true).RunPk;
            if (batch.Params.Count > 0)
            {
                InsertParams(connection, transaction, runPk, batch);
            }

            if (batch.Metrics.Count > 0)
            {
                InsertMetrics(connection, transaction, runPk, batch.Metrics);
            }

            if (batch.Tags.Count > 0)
            {
                UpsertTags(connection, transaction, runPk, batch.Tags);
            }
        }, cancellationToken);

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var (runPk, experimentId) = RequireRun(connection, transaction, runId, requireActive: true);
            foreach (var input in inputs)
            {
                var d = input.Dataset;
                var datasetPk = (long)Scalar(connection, transaction,
                    "INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) VALUES ($e, $n, $d, $st, $s, $schema, $profile) " +
                    "ON CONFLICT (experiment_id, name, digest) DO UPDATE SET source_type = datasets.source_type RETURNING dataset_pk",
                    ("$e", experimentId), ("$n", d.Name), ("$d", d.Digest), ("$st", d.SourceType), ("$s", d.Source),
                    ("$schema", (object?)d.Schema ?? DBNull.Value), ("$profile", (object?)d.Profile ?? DBNull.Value))!;
                Execute(connection, transaction, "INSERT OR IGNORE INTO inputs (run_pk, dataset_pk) VALUES ($r, $d)", ("$r", runPk), ("$d", datasetPk));
                foreach (var tag in input.Tags)
                {
                    Execute(connection, transaction,
                        "INSERT INTO input_tags (run_pk, dataset_pk, key, value) VALUES ($r, $d, $k, $v) ON CONFLICT (run_pk, dataset_pk, key) DO UPDATE SET value = excluded.value",
                        ("$r", runPk), ("$d", datasetPk), ("$k", tag.Key), ("$v", tag.Value));
                }
            }
        }, cancellationToken);

    private static (long RunPk, long ExperimentId) RequireRun(SqliteConnection connection, SqliteTransaction transaction, string runId, bool requireActive)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT run_pk, experiment_id, lifecycle_stage FROM runs WHERE run_uuid = $id";
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw MlopsException.NotFound($"Run with id={runId} not found");
        }

        if (requireActive && reader.GetString(2) != "active")
        {
            throw ExperimentTrackingService.RunNotActive(runId);
        }

        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static void InsertParams(SqliteConnection connection, SqliteTransaction transaction, long runPk, LogBatch batch)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT key, value FROM params WHERE run_pk = $pk AND key IN (SELECT value FROM json_each($keys))";
        select.Parameters.AddWithValue("$pk", runPk);
        select.Parameters.AddWithValue("$keys", System.Text.Json.JsonSerializer.Serialize(batch.Params.Select(p => p.Key).ToArray(), SqliteJson.Default.StringArray));
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                existing[reader.GetString(0)] = reader.GetString(1);
            }
        }

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO params (run_pk, key, value) VALUES ($pk, $key, $value)";
        insert.Parameters.AddWithValue("$pk", runPk);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Text);
        foreach (var param in batch.Params)
        {
            if (existing.TryGetValue(param.Key, out var old))
            {
                if (old != param.Value)
                {
                    // Throwing rolls the whole batch back: nothing of it is written.
                    throw ExperimentTrackingService.ParamChanged(batch.RunId, param.Key, old, param.Value);
                }

                continue;
            }

            key.Value = param.Key;
            value.Value = param.Value;
            insert.ExecuteNonQuery();
        }
    }

    private static void InsertMetrics(SqliteConnection connection, SqliteTransaction transaction, long runPk, IReadOnlyList<Metric> metrics)
    {
        using var insert = new RawStatement(connection, "INSERT OR IGNORE INTO metrics (run_pk, key, step, timestamp, value, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        insert.Bind(1, runPk);

        // The latest point per key is computed in memory so latest_metrics gets one upsert per key, not per point.
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        string? boundKey = null;
        foreach (var metric in metrics)
        {
            var isNan = double.IsNaN(metric.Value);
            if (!ReferenceEquals(metric.Key, boundKey))
            {
                insert.Bind(2, metric.Key);
                boundKey = metric.Key;
            }

            insert.Bind(3, metric.Step);
            insert.Bind(4, metric.Timestamp);
            insert.Bind(5, isNan ? 0.0 : metric.Value);
            insert.Bind(6, isNan ? 1L : 0L);
            insert.Execute();
            if (!latest.TryGetValue(metric.Key, out var best) || IsLater(metric, best))
            {
                latest[metric.Key] = metric;
            }
        }

        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText =
            "INSERT INTO latest_metrics (run_pk, key, step, timestamp, value, is_nan) VALUES ($pk, $key, $step, $ts, $value, $nan) " +
            "ON CONFLICT (run_pk, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan " +
            "WHERE (excluded.step, excluded.timestamp, excluded.value) >= (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)";
        upsert.Parameters.AddWithValue("$pk", runPk);
        var uKey = upsert.Parameters.Add("$key", SqliteType.Text);
        var uStep = upsert.Parameters.Add("$step", SqliteType.Integer);
        var uTimestamp = upsert.Parameters.Add("$ts", SqliteType.Integer);
        var uValue = upsert.Parameters.Add("$value", SqliteType.Real);
        var uNan = upsert.Parameters.Add("$nan", SqliteType.Integer);
        foreach (var metric in latest.Values)
        {
            var isNan = double.IsNaN(metric.Value);
            uKey.Value = metric.Key;
            uStep.Value = metric.Step;
            uTimestamp.Value = metric.Timestamp;
            uValue.Value = isNan ? 0.0 : metric.Value;
            uNan.Value = isNan ? 1L : 0L;
            upsert.ExecuteNonQuery();
        }
    }

    private static bool IsLater(Metric candidate, Metric current) =>
        candidate.Step != current.Step ? candidate.Step > current.Step
        : candidate.Timestamp != current.Timestamp ? candidate.Timestamp > current.Timestamp
        : Comparable(candidate.Value) >= Comparable(current.Value);

    private static double Comparable(double value) => double.IsNaN(value) ? 0.0 : value;

    private static void UpsertTags(SqliteConnection connection, SqliteTransaction transaction, long runPk, IReadOnlyList<Tag> tags)
    {
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = "INSERT INTO tags (run_pk, key, value) VALUES ($pk, $key, $value) ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value";
        upsert.Parameters.AddWithValue("$pk", runPk);
        var key = upsert.Parameters.Add("$key", SqliteType.Text);
        var value = upsert.Parameters.Add("$value", SqliteType.Text);
        foreach (var tag in tags)
        {
            key.Value = tag.Key;
            value.Value = tag.Value;
            upsert.ExecuteNonQuery();
            if (tag.Key == SystemTags.RunName)
            {
                // The run name and its mlflow.runName tag are one fact in two places (MLflow keeps them in step).
                Execute(connection, transaction, "UPDATE runs SET name = $name WHERE run_pk = $pk", ("$name", tag.Value), ("$pk", runPk));
            }
        }
    }
}
