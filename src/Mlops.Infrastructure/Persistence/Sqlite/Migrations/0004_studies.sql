-- Hyperparameter studies. The search space, directions, sampler and pruner are JSON documents owned by the
-- application; trials keep their parameters (internal encoding) and values as JSON, intermediate values in rows.
CREATE TABLE studies (
    study_id      INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    directions    TEXT    NOT NULL,
    space         TEXT    NOT NULL,
    sampler       TEXT    NOT NULL,
    pruner        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    objective     TEXT,
    experiment_id TEXT,
    parent_run_id TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TABLE trials (
    study_id     INTEGER NOT NULL REFERENCES studies (study_id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    params       TEXT    NOT NULL,
    "values"     TEXT,
    run_id       TEXT,
    job_id       INTEGER,
    error        TEXT,
    started_at   INTEGER NOT NULL,
    completed_at INTEGER,
    PRIMARY KEY (study_id, number)
);

CREATE TABLE trial_intermediate (
    study_id INTEGER NOT NULL,
    number   INTEGER NOT NULL,
    step     INTEGER NOT NULL,
    value    REAL,
    PRIMARY KEY (study_id, number, step),
    FOREIGN KEY (study_id, number) REFERENCES trials (study_id, number) ON DELETE CASCADE
);
