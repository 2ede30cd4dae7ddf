/**
 * The WordCount benchmark's single-threaded baseline: plain Node, no DIOS,
 * the same tokenizer as the map tasks (wordCountSync). Prints `word<TAB>count`
 * lines in the order `dios wordcount FILE --all` does.
 *
 *   node bench/wordcount-node.mjs FILE
 * Plain JavaScript, so it starts as fast as the dios command (no TypeScript loader).
 * @module
 */
import { readFileSync } from 'node:fs';
import { wordCountSync } from '@dios/apps';

const counts = wordCountSync(readFileSync(process.argv[2]));
process.stdout.write(counts.map((c) => `${c.key}\t${c.count}\n`).join(''));
