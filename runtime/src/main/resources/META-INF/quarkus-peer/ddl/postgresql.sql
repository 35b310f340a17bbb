-- Quarkus Peer: the lease table and the sequence of fencing tokens, for PostgreSQL.
-- Usable as is from Flyway or Liquibase; schema-management=create runs the same statements
-- (with the configured table name in place of quarkus_peers).
-- The table is a regular (logged) table on purpose: a lease must survive a crash of the database.
CREATE TABLE IF NOT EXISTS quarkus_peers (
    name          VARCHAR(255)                NOT NULL PRIMARY KEY,
    node          VARCHAR(255)                NOT NULL,
    owner         VARCHAR(64)                 NOT NULL,
    fencing_token BIGINT                      NOT NULL,
    started_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
-- CACHE 1: each session caches the values it takes from a sequence, so with a larger cache a session could hand
-- out a token smaller than one another session already handed out (after a release deleted the row).
CREATE SEQUENCE IF NOT EXISTS quarkus_peers_seq CACHE 1;
