package io.github.quarkuspeer.runtime;

/** What the {@code database} kind does with its table when the application starts. */
public enum SchemaManagement {
    /** Create the table and its sequence if they do not exist, with the DDL shipped for the database. */
    CREATE,
    /** Check that the table and its sequence exist as they should, and fail the start if not. */
    VALIDATE,
    /** Do nothing: the table is managed elsewhere, for example by Flyway or Liquibase. */
    NONE
}
