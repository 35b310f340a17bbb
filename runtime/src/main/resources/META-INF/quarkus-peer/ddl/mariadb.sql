-- Quarkus Peer: the lease table and the sequence of fencing tokens, for MariaDB 10.5 or later.
-- Usable as is from Flyway or Liquibase; schema-management=create runs the same statements
-- (with the configured table name in place of quarkus_peers).
-- Times are UTC as the database writes them (UTC_TIMESTAMP(6)): DATETIME(6) ignores the session time zone and
-- outlives 2038, unlike TIMESTAMP. Instance names and owners compare exactly (binary, no padding), so that
-- "billing", "Billing" and "billing " are three instances. InnoDB, so that a lease survives a crash.
CREATE TABLE IF NOT EXISTS quarkus_peers (
    name          VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY,
    node          VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL,
    owner         VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    fencing_token BIGINT       NOT NULL,
    started_at    DATETIME(6)  NOT NULL,
    expires_at    DATETIME(6)  NOT NULL
) ENGINE = InnoDB;
CREATE SEQUENCE IF NOT EXISTS quarkus_peers_seq;
