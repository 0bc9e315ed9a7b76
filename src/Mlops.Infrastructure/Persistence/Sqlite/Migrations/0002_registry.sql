-- Model registry. Models and versions have integer keys so a rename touches one row; versions are numbered
-- from registered_models.next_version inside the creating transaction, so numbers are unique and never reused.
CREATE TABLE registered_models (
    model_pk          INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    creation_time     INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    next_version      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE registered_model_tags (
    model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
    key      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    PRIMARY KEY (model_pk, key)
) WITHOUT ROWID;

CREATE TABLE model_versions (
    mv_pk             INTEGER PRIMARY KEY,
    model_pk          INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    creation_time     INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    user_id           TEXT    NOT NULL DEFAULT '',
    current_stage     TEXT    NOT NULL DEFAULT 'None',
    source            TEXT    NOT NULL,
    run_id            TEXT,
    run_link          TEXT,
    status            TEXT    NOT NULL DEFAULT 'READY',
    UNIQUE (model_pk, version)
);
CREATE INDEX ix_model_versions_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    mv_pk INTEGER NOT NULL REFERENCES model_versions (mv_pk) ON DELETE CASCADE,
    key   TEXT    NOT NULL,
    value TEXT    NOT NULL,
    PRIMARY KEY (mv_pk, key)
) WITHOUT ROWID;

CREATE TABLE registered_model_aliases (
    model_pk INTEGER NOT NULL REFERENCES registered_models (model_pk) ON DELETE CASCADE,
    alias    TEXT    NOT NULL,
    mv_pk    INTEGER NOT NULL REFERENCES model_versions (mv_pk) ON DELETE CASCADE,
    PRIMARY KEY (model_pk, alias)
) WITHOUT ROWID;

-- Deletions and other destructive registry changes are recorded: who asked, when, and what it was.
CREATE TABLE registry_audit (
    audit_pk INTEGER PRIMARY KEY,
    time     INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    name     TEXT    NOT NULL,
    version  INTEGER,
    detail   TEXT    NOT NULL DEFAULT ''
);
