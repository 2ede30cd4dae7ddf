/**
 * The part of better-sqlite3 (which ships no types) that bench:wasi's native
 * baseline uses.
 * @module
 */
declare module 'better-sqlite3' {
  /** A prepared statement. */
  interface Statement {
    /** The first row of the result, or undefined. */
    get(...params: unknown[]): unknown;
  }
  /** A database connection. */
  class Database {
    /** Opens (creating) the database file at `path`. */
    constructor(path: string);
    /** Runs every statement of `sql`, discarding rows. */
    exec(sql: string): this;
    /** Prepares one statement. */
    prepare(sql: string): Statement;
    /** Closes the connection. */
    close(): this;
  }
  export default Database;
}
