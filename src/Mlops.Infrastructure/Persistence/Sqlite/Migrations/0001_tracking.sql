-- Tracking schema. Runs are referenced by an integer key (run_pk) in the high-volume tables so a metric
-- point does not repeat a 32-character run id; the public id is runs.run_uuid.
CREATE TABLE experiments (
    experiment_id     INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    artifact_location TEXT    NOT NULL,
    lifecycle_stage   TEXT    NOT NULL DEFAULT 'active',
    creation_time     INTEGER NOT NULL,
    last_update_time  INTEGER NOT NULL
);

CREATE TABLE experiment_tags (
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
    key           TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

CREATE TABLE runs (
    run_pk          INTEGER PRIMARY KEY,
    run_uuid        TEXT    NOT NULL UNIQUE,
    experiment_id   INTEGER NOT NULL REFERENCES experiments (experiment_id),
    name            TEXT    NOT NULL DEFAULT '',
    user_id         TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    artifact_uri    TEXT    NOT NULL,
    lifecycle_stage TEXT    NOT NULL DEFAULT 'active',
    deleted_time    INTEGER
);
CREATE INDEX ix_runs_experiment_start ON runs (experiment_id, start_time DESC);

CREATE TABLE params (
    run_pk INTEGER NOT NULL REFERENCES runs (run_pk),
    key    TEXT    NOT NULL,
    value  TEXT    NOT NULL,
    PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX ix_params_key_value ON params (key, value);

CREATE TABLE tags (
    run_pk INTEGER NOT NULL REFERENCES runs (run_pk),
    key    TEXT    NOT NULL,
    value  TEXT    NOT NULL,
    PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX ix_tags_key_value ON tags (key, value);

-- NaN cannot be stored as a REAL in SQLite (it becomes NULL), so it is a flag with value 0.
CREATE TABLE metrics (
    run_pk    INTEGER NOT NULL,
    key       TEXT    NOT NULL,
    step      INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value     REAL    NOT NULL,
    is_nan    INTEGER NOT NULL,
    PRIMARY KEY (run_pk, key, step, timestamp, value, is_nan)
) WITHOUT ROWID;

CREATE TABLE latest_metrics (
    run_pk    INTEGER NOT NULL REFERENCES runs (run_pk),
    key       TEXT    NOT NULL,
    step      INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value     REAL    NOT NULL,
    is_nan    INTEGER NOT NULL,
    PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX ix_latest_metrics_key_value ON latest_metrics (key, value);

CREATE TABLE datasets (
    dataset_pk    INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
    name          TEXT    NOT NULL,
    digest        TEXT    NOT NULL,
    source_type   TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    schema        TEXT,
    profile       TEXT,
    UNIQUE (experiment_id, name, digest)
);

CREATE TABLE inputs (
    run_pk     INTEGER NOT NULL REFERENCES runs (run_pk),
    dataset_pk INTEGER NOT NULL REFERENCES datasets (dataset_pk),
    PRIMARY KEY (run_pk, dataset_pk)
) WITHOUT ROWID;

CREATE TABLE input_tags (
    run_pk     INTEGER NOT NULL,
    dataset_pk INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (run_pk, dataset_pk, key),
    FOREIGN KEY (run_pk, dataset_pk) REFERENCES inputs (run_pk, dataset_pk)
) WITHOUT ROWID;

INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
