/**
 * WordCount as a MapReduce application.
 * @module
 */
import type { MapReduceApp } from '../../mapreduce/app-api/app.js';
import { countWords } from './tokenize.js';
import { WORD_BYTES } from './word-bytes.js';

/** WordCount: records are words, keys are the lower-cased words. */
export const wordCountApp: MapReduceApp = {
  recordBytes: WORD_BYTES,
  keyBytes: WORD_BYTES,
  map: countWords,
};
