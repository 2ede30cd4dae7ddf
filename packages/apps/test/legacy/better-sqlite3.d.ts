/**
 * The part of better-sqlite3's API the SQLite tests use (the package ships
 * no types; this saves a dependency on @types/better-sqlite3).
 */
declare module 'better-sqlite3' {
  /** A prepared statement. */
  interface Statement {
    /** Whether it returns rows. */
    readonly reader: boolean;
    /** Rows as arrays of values instead of objects. */
    raw(on: boolean): Statement;
    /** INTEGERs as bigint instead of number. */
    safeIntegers(on: boolean): Statement;
    /** Runs it, yielding its rows. */
    iterate(): IterableIterator<unknown>;
    /** Runs a statement that returns no rows. */
    run(): unknown;
  }
  /** A connection to a database file. */
  class Database {
    /** Opens (creating it if missing) the database at `path`. */
    constructor(path: string);
    /** Prepares one statement. */
    prepare(sql: string): Statement;
    /** Runs statements that return no rows. */
    exec(sql: string): this;
    /** Closes the connection. */
    close(): void;
  }
  export default Database;
}
