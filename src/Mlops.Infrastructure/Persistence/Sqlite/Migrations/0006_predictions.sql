-- Endpoint settings (prediction logging, alias following) and the prediction log.
ALTER TABLE endpoints ADD COLUMN log_sample_rate REAL NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN follow_alias INTEGER NOT NULL DEFAULT 0;

-- One row per logged answer: the live answer to a sampled request, or a shadow's answer to a copy of it. Rows are
-- appended and, by retention, deleted; never updated. Inputs and outputs are dataframe_split JSON of the first rows.
CREATE TABLE predictions (
    prediction_id      INTEGER PRIMARY KEY,
    endpoint           TEXT    NOT NULL,
    revision           INTEGER NOT NULL,
    role               TEXT    NOT NULL,
    request_id         TEXT    NOT NULL,
    at                 INTEGER NOT NULL,
    model_microseconds INTEGER NOT NULL,
    rows               INTEGER NOT NULL,
    inputs             TEXT    NOT NULL,
    outputs            TEXT    NOT NULL,
    error              TEXT
);

CREATE INDEX predictions_by_endpoint_time ON predictions (endpoint, at DESC, prediction_id DESC);
CREATE INDEX predictions_by_request ON predictions (endpoint, request_id);
