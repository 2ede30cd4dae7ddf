/**
 * @dios/apps: applications on DIOS. A counting MapReduce framework whose
 * master, map and reduce tasks are DIOS tasks talking through named blobs,
 * WordCount on it (and the same WordCount in one thread, as a baseline),
 * and the `dios` command.
 *
 * @example
 * ```ts
 * import { Kernel, ObjectType } from '@dios/kernel';
 * import { installMapReducePrograms, wordCount } from '@dios/apps';
 * const kernel = await Kernel.boot();
 * await installMapReducePrograms(kernel);
 * const sys = kernel.init;
 * const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
 * const text = new TextEncoder().encode('the cat and the hat');
 * const buf = await sys.beginWrite(ref, text.length);
 * buf.set(text);
 * await sys.endWrite(ref, buf);
 * console.log(await wordCount(sys, [ref], { maps: 2, reduces: 2 })); // [{ key: 'the', count: 2 }, ...]
 * ```
 *
 * The pieces inside (parsers, writers, hashes, paths, tuning constants) that
 * only tests need are in `@dios/apps/testing`.
 * @module @dios/apps
 */
export { installMapReducePrograms } from './mapreduce/install.js';
export { BINARY_PATHS, PROGRAM_IDS } from './mapreduce/programs.js';
export { runMapReduce } from './mapreduce/job.js';
export type { MapReduceJob, MapReduceResult } from './mapreduce/job.js';
export type { MapReduceApp } from './mapreduce/app-api/app.js';
export { KeyTable } from './mapreduce/app-api/key-table.js';
export { parseRecords } from './mapreduce/records.js';
export type { KeyCount } from './mapreduce/records.js';
export { wordCount, wordCountRecords } from './wordcount/run.js';
export type { WordCountOptions } from './wordcount/run.js';
export { wordCountSync } from './wordcount/single-threaded.js';
export { startWebServer, installWebServer, WebServerError, WEB_PROGRAM_IDS } from './web/install.js';
export type { RunningWebServer, StartWebServerOptions } from './web/install.js';
export { DEFAULT_WEB_OPTIONS, optionsFromArgv, optionsToArgv } from './web/options.js';
export type { WebServerOptions } from './web/options.js';
export * from './kv/index.js';
export { flowGraph } from './provenance/graph.js';
export type { GraphOptions, ProvenanceEdge, ProvenanceGraph, ProvenanceNode } from './provenance/graph.js';
export { lineage } from './provenance/lineage.js';
export type { LineageOptions } from './provenance/lineage.js';
export { toProvJson } from './provenance/prov-json.js';
export type { ProvAttributes, ProvJsonDocument } from './provenance/prov-json.js';
export { toDot } from './provenance/dot.js';
export { renderSvg } from './provenance/svg.js';
export {
  decodeProvenance,
  encodeProvenance,
  loadProvenance,
  provenancePath,
  saveProvenance,
} from './provenance/log-blob.js';
export type { ProvenanceSnapshot } from './provenance/log-blob.js';
export * from './sched/index.js';
