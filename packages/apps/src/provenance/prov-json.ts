/**
 * A provenance graph as W3C PROV-JSON (the PROV-JSON Member Submission,
 * 2013): objects are entities, tasks activities; a read (and the binary a
 * task was run from) is `used`, a write or create `wasGeneratedBy`, the
 * destruction of an object `wasInvalidatedBy`, and a flow from task to task
 * (run, copy, pause) `wasInformedBy`. The figures PROV has no term for are
 * `dios:` attributes: bytes, count, version, allowed.
 * @module
 */
import type { ProvenanceEdge, ProvenanceGraph, ProvenanceNode } from './graph.js';

/** The namespace of the `dios:` prefix. */
export const DIOS_PROV_NAMESPACE = 'urn:dios:provenance#';

/** Attributes of a PROV-JSON record (qualified names to JSON values). */
export type ProvAttributes = Record<string, string | number | boolean>;

/** A PROV-JSON document, with the sections this export fills. */
export interface ProvJsonDocument {
  /** Namespace prefixes. */
  readonly prefix: Record<string, string>;
  /** Objects, by qualified name. */
  readonly entity: Record<string, ProvAttributes>;
  /** Tasks, by qualified name. */
  readonly activity: Record<string, ProvAttributes>;
  /** Reads, and runs from a binary: `prov:activity` used `prov:entity`. */
  readonly used: Record<string, ProvAttributes>;
  /** Writes and creates: `prov:entity` wasGeneratedBy `prov:activity`. */
  readonly wasGeneratedBy: Record<string, ProvAttributes>;
  /** Destruction (delete): `prov:entity` wasInvalidatedBy `prov:activity`. */
  readonly wasInvalidatedBy: Record<string, ProvAttributes>;
  /** Task to task (run, copy, pause): `prov:informed` wasInformedBy `prov:informant`. */
  readonly wasInformedBy: Record<string, ProvAttributes>;
}

// `task:KEY` -> `dios:task-KEY` (a qualified name's local part may not hold a colon).
const qualified = (id: string): string => `dios:${id.replace(':', '-')}`;

function nodeAttributes(n: ProvenanceNode): ProvAttributes {
  const a: ProvAttributes = { 'prov:label': n.label, 'dios:name': n.name };
  if (n.type !== undefined) a['prov:type'] = `dios:${n.type}`;
  if (n.program !== undefined) a['dios:program'] = n.program;
  if (n.path !== undefined) a['dios:path'] = n.path;
  return a;
}

function figures(e: ProvenanceEdge): ProvAttributes {
  return {
    'prov:time': new Date(e.last).toISOString(),
    'dios:operation': e.operation,
    'dios:bytes': e.bytes,
    'dios:count': e.count,
    'dios:version': e.version,
    'dios:allowed': e.allowed,
  };
}

/** The PROV-JSON document of `graph`. */
export function toProvJson(graph: ProvenanceGraph): ProvJsonDocument {
  const doc: ProvJsonDocument = {
    prefix: { dios: DIOS_PROV_NAMESPACE },
    entity: {},
    activity: {},
    used: {},
    wasGeneratedBy: {},
    wasInvalidatedBy: {},
    wasInformedBy: {},
  };
  const kinds = new Map<string, 'task' | 'object'>();
  for (const n of graph.nodes) {
    kinds.set(n.id, n.kind);
    (n.kind === 'task' ? doc.activity : doc.entity)[qualified(n.id)] = nodeAttributes(n);
  }
  graph.edges.forEach((e, i) => {
    const id = `_:f${i + 1}`;
    const from = qualified(e.from);
    const to = qualified(e.to);
    if (kinds.get(e.from) === 'task' && kinds.get(e.to) === 'task') {
      doc.wasInformedBy[id] = { 'prov:informed': to, 'prov:informant': from, ...figures(e) };
    } else if (kinds.get(e.to) === 'task') {
      doc.used[id] = { 'prov:activity': to, 'prov:entity': from, ...figures(e) };
    } else if (e.operation === 'modify') {
      doc.wasInvalidatedBy[id] = { 'prov:entity': to, 'prov:activity': from, ...figures(e) };
    } else {
      doc.wasGeneratedBy[id] = { 'prov:entity': to, 'prov:activity': from, ...figures(e) };
    }
  });
  return doc;
}
