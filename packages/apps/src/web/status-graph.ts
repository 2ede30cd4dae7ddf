/**
 * The status page's graph of flows: the tasks and objects of the kernel's
 * provenance log (who reads, writes, creates and runs what), drawn as SVG
 * from the blob the host publishes it in (`/.provenance/KERNEL-ID`, see
 * `publishProvenance`), read through the system calls like the status
 * object. A drawing is made once per version of the blob and shared by the
 * connection tasks.
 * @module
 */
import { DeleteFlags, isDiosError, type SystemCalls } from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import { lookupPath } from '../mapreduce/blob-io.js';
import { toDot } from '../provenance/dot.js';
import { flowGraph } from '../provenance/graph.js';
import { decodeProvenance, provenancePath } from '../provenance/log-blob.js';
import { renderSvg } from '../provenance/svg.js';

/** URL path of the graph of flows (SVG). */
export const STATUS_GRAPH_PATH = '/_dios/status/graph.svg';

const CALL = 'statusGraph';

// The last drawing, by kernel id: the blob's version and the SVG.
const drawings = new Map<string, { version: number; svg: Promise<string> }>();

/** Reads and draws the published provenance log for one task (its handle is looked up once and kept). */
export class StatusGraphReader {
  readonly #sys: SystemCalls;
  #ref: number | undefined;

  /** A reader for task `sys`. */
  constructor(sys: SystemCalls) {
    this.#sys = sys;
  }

  /** The SVG drawing of the flows published now (an empty drawing when none are). */
  async svg(): Promise<string> {
    const sys = this.#sys;
    if (this.#ref === undefined) {
      try {
        this.#ref = await lookupPath(sys, provenancePath(sys.kernelId), CALL);
      } catch (e) {
        if (!isDiosError(e, 'ENOENT')) throw e;
        return renderSvg(toDot({ nodes: [], edges: [] }));
      }
    }
    const { version } = sys.ref(this.#ref);
    const last = drawings.get(sys.kernelId);
    if (last !== undefined && last.version === version) return last.svg;
    const view = await sys.beginRead(this.#ref);
    const text = new TextDecoder().decode(view);
    await sys.endRead(this.#ref, view);
    const snapshot = decodeProvenance(text, CALL, 'log');
    const svg = renderSvg(toDot(flowGraph(snapshot.records, { paths: new Map(Object.entries(snapshot.paths)) })));
    drawings.set(sys.kernelId, { version, svg });
    return svg;
  }

  /** Drops the handle. */
  async close(): Promise<void> {
    if (this.#ref !== undefined) await deleteQuietly(this.#sys, this.#ref, DeleteFlags.DROP);
    this.#ref = undefined;
  }
}
