-- PostgreSQL schema equivalent to an Annals store: date bounds as day numbers (Annals' CalendarDay.dayNumber),
-- one row per event with the text plain (TOAST compresses long values with pglz), a chronological index,
-- the filter keys (actor names 'a:', actor codes 'c:', tags 't:', reference targets 'r:') in their own
-- table ordered chronologically per key (like Annals' facets), and a GIN index over a stored tsvector of
-- title, summary and body (Annals: an FTS5 index over the same three).
CREATE TABLE events(
    id text PRIMARY KEY,
    date text NOT NULL,
    lower bigint NOT NULL,
    upper bigint NOT NULL,
    kind smallint NOT NULL,
    title text NOT NULL,
    summary text,
    body text,
    meta jsonb,
    tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', title || ' ' || coalesce(summary, '') || ' ' || coalesce(body, ''))) STORED
);
CREATE INDEX events_chronology ON events(lower, upper, id);
CREATE INDEX events_text ON events USING gin(tsv);
CREATE TABLE event_facets(
    facet text NOT NULL,
    lower bigint NOT NULL,
    upper bigint NOT NULL,
    event text NOT NULL,
    PRIMARY KEY(facet, lower, upper, event)
);
-- Query parameters, numbered so pgbench's \set random() can pick one.
CREATE TABLE bench_actors(i int PRIMARY KEY, code text NOT NULL);
CREATE TABLE bench_ids(i int PRIMARY KEY, id text NOT NULL);
