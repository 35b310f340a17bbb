-- Quarkus Peer: the lease table and the sequence of fencing tokens, for H2 2.x.
-- Usable as is from Flyway or Liquibase; schema-management=create runs the same statements
-- (with the configured table name in place of quarkus_peers).
-- H2 measures VARCHAR in UTF-16 units: 510 leaves room for names of 255 characters of any Unicode.
-- Times are written in UTC by the database (CURRENT_TIMESTAMP AT TIME ZONE 'UTC').
CREATE TABLE IF NOT EXISTS quarkus_peers (
    name          VARCHAR(510)                NOT NULL PRIMARY KEY,
    node          VARCHAR(510)                NOT NULL,
    owner         VARCHAR(64)                 NOT NULL,
    fencing_token BIGINT                      NOT NULL,
    started_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
-- CACHE 1: the token of a term must be greater than every token handed out before it.
CREATE SEQUENCE IF NOT EXISTS quarkus_peers_seq CACHE 1;
