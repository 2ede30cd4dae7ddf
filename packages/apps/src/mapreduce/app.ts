/**
 * MapReduceApp, now in app-api/app.ts: re-exported here only for the package entry (src/index.ts), which imports this path.
 * @module
 */
export type { MapReduceApp } from './app-api/app.js';
