/**
 * Provenance exports from a synthetic log: the lineage of an object (exact
 * nodes and edges, flows after the fact left out, a refused flow kept but
 * not followed), PROV-JSON's sections, DOT's red refused edges, SVG drawn
 * by the WebAssembly Graphviz, and the blob the log is kept in.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, ObjectType, type FlowOperation, type ProvenanceRecord } from '@dios/kernel';
import {
  decodeProvenance,
  encodeProvenance,
  flowGraph,
  lineage,
  loadProvenance,
  renderSvg,
  saveProvenance,
  toDot,
  toProvJson,
} from '@dios/apps';

let at = 1_000;
function rec(
  task: string,
  program: string,
  operation: FlowOperation,
  object: string,
  bytes: number,
  extra: Partial<ProvenanceRecord> = {},
): ProvenanceRecord {
  const objectType: ObjectType = object.startsWith('t-') ? 'task' : 'shared-memory-blob';
  return {
    at: at++,
    task,
    program,
    object,
    objectType,
    operation,
    syscall: operation,
    bytes,
    version: 1,
    allowed: true,
    ...extra,
  };
}

const RECORDS: ProvenanceRecord[] = [
  rec('t-init', 'init', 'create', 'in1', 0, { version: 0 }),
  rec('t-init', 'init', 'write', 'in1', 10),
  rec('t-init', 'init', 'run', 'bin', 30, { child: 't-map' }),
  rec('t-map', 'map', 'read', 'in1', 10),
  rec('t-map', 'map', 'create', 'out1', 0, { version: 0 }),
  rec('t-map', 'map', 'write', 'out1', 4),
  rec('t-plugin', 'plugin', 'write', 'out1', 0, { allowed: false }),
  // After the output was written: not part of its lineage.
  rec('t-map', 'map', 'read', 'late', 7),
  rec('t-init', 'init', 'read', 'out1', 4),
  // Deleting the output puts no data in it: not part of its lineage either.
  rec('t-init', 'init', 'modify', 'out1', 0),
  rec('t-init', 'init', 'label', 't-init', 0),
];
const PATHS = new Map([['out1', '/job/out']]);

const edges = (g: ReturnType<typeof lineage>): string[] =>
  g.edges.map((e) => `${e.from} -> ${e.to} ${e.allowed ? '' : 'refused '}${e.operation} ${e.bytes}`);

describe('lineage', () => {
  it('holds exactly the flows into the object before it was written, the refused one kept', () => {
    const g = lineage(RECORDS, 'object:out1', { paths: PATHS });
    expect(g.targets).toEqual(['object:out1']);
    expect(g.nodes.map((n) => `${n.id} ${n.label}`)).toEqual([
      'object:out1 /job/out',
      'task:t-init init t-init',
      'object:in1 shared-memory-blob in1',
      'object:bin shared-memory-blob bin',
      'task:t-map map t-map',
      'task:t-plugin plugin t-plugin',
    ]);
    expect(edges(g)).toEqual([
      'task:t-init -> object:in1 create 0',
      'task:t-init -> object:in1 write 10',
      'object:bin -> task:t-map run 30',
      'task:t-init -> task:t-map run 0',
      'object:in1 -> task:t-map read 10',
      'task:t-map -> object:out1 create 0',
      'task:t-map -> object:out1 write 4',
      'task:t-plugin -> object:out1 refused write 0',
    ]);
  });

  it('stops at --depth edges from the object', () => {
    const g = lineage(RECORDS, 'object:out1', { depth: 1 });
    expect(g.nodes.map((n) => n.id)).toEqual(['object:out1', 'task:t-map', 'task:t-plugin']);
    expect(lineage(RECORDS, 'object:out1', { depth: 0 }).edges).toEqual([]);
  });

  it('sums the bytes of repeated flows on one edge', () => {
    const more = [...RECORDS, rec('t-map', 'map', 'write', 'again', 5), rec('t-map', 'map', 'write', 'again', 6)];
    const edge = lineage(more, 'object:again').edges.find((e) => e.to === 'object:again');
    expect(edge).toMatchObject({ from: 'task:t-map', to: 'object:again', bytes: 11, count: 2, version: 1 });
  });

  it('refuses an object the log never names, and a bad depth', () => {
    expect(() => lineage(RECORDS, 'object:nothing')).toThrow(/ENOENT.*target/);
    expect(() => lineage(RECORDS, 'object:out1', { depth: -1 })).toThrow(/EINVAL.*options\.depth/);
  });
});

describe('exports', () => {
  it('PROV-JSON: entities, activities, used, wasGeneratedBy, wasInformedBy with dios: figures', () => {
    const doc = toProvJson(lineage(RECORDS, 'object:out1', { paths: PATHS }));
    expect(Object.keys(doc.prefix)).toEqual(['dios']);
    expect(Object.keys(doc.entity).sort()).toEqual(['dios:object-bin', 'dios:object-in1', 'dios:object-out1']);
    expect(Object.keys(doc.activity).sort()).toEqual(['dios:task-t-init', 'dios:task-t-map', 'dios:task-t-plugin']);
    expect(doc.entity['dios:object-out1']).toMatchObject({ 'prov:label': '/job/out', 'dios:path': '/job/out' });
    expect(Object.values(doc.used)).toContainEqual(
      expect.objectContaining({
        'prov:activity': 'dios:task-t-map',
        'prov:entity': 'dios:object-in1',
        'dios:bytes': 10,
      }),
    );
    expect(Object.values(doc.wasGeneratedBy)).toContainEqual(
      expect.objectContaining({
        'prov:entity': 'dios:object-out1',
        'prov:activity': 'dios:task-t-plugin',
        'dios:allowed': false,
      }),
    );
    expect(Object.values(doc.wasInformedBy)).toEqual([
      expect.objectContaining({
        'prov:informed': 'dios:task-t-map',
        'prov:informant': 'dios:task-t-init',
        'dios:operation': 'run',
      }),
    ]);
    const relations = [doc.used, doc.wasGeneratedBy, doc.wasInformedBy, doc.wasInvalidatedBy].flatMap(Object.values);
    expect(relations).toHaveLength(8);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('DOT: refused flows red, bytes on the edges', () => {
    const dot = toDot(lineage(RECORDS, 'object:out1', { paths: PATHS }));
    expect(dot).toMatch(/^digraph provenance \{/);
    expect(dot).toContain('"task:t-plugin" -> "object:out1" [label="refused write", color=red');
    expect(dot).toContain('"object:in1" -> "task:t-map" [label="read\\n10 B"]');
    expect(dot.match(/ color=red/g)).toHaveLength(1);
  });

  it('SVG: drawn in-process, with the node labels', { timeout: 30_000 }, async () => {
    const svg = await renderSvg(toDot(flowGraph(RECORDS, { paths: PATHS })));
    const text = svg.replace(/&#45;/g, '-');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of ['/job/out', 'map t-map', 'plugin t-plugin', 'refused write', '10 B'])
      expect(text).toContain(label);
    // Refused edges are drawn in red.
    expect(svg).toContain('stroke="red"');
  });
});

describe('the log in a blob', () => {
  it('is written and read back whole', async () => {
    const snapshot = { kernel: 'k', paths: { out1: '/job/out' }, records: RECORDS };
    expect(decodeProvenance(encodeProvenance(snapshot), 'test', 'text')).toEqual(snapshot);
    expect(() => decodeProvenance('{"x":1}\n', 'test', 'text')).toThrow(/EINVAL.*text/);
    const kernel = await Kernel.boot({ id: 'prov-blob' });
    await saveProvenance(kernel.init, snapshot);
    expect(await loadProvenance(kernel.init, '/.provenance/k')).toEqual(snapshot);
    await expect(loadProvenance(kernel.init, '/.provenance/none')).rejects.toThrow(/ENOENT/);
  });

  it("keeps only the flows the writer's label may see: a secret task's records stay out of a public blob", async () => {
    const kernel = await Kernel.boot({ id: 'prov-secret' });
    const sys = kernel.init;
    const secretTask = await kernel.attachTask(['secret-task']);
    const tag = await secretTask.create(ObjectType.TAG);
    const change = new TextEncoder().encode(JSON.stringify({ addSecrecy: [tag.ref] }));
    const buf = await secretTask.beginWrite(secretTask.self, change.length);
    buf.set(change);
    await secretTask.endWrite(secretTask.self, buf);
    const hidden = await secretTask.create(ObjectType.SHARED_MEMORY_BLOB);
    const shown = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const records = kernel.provenance!.records();
    // The kernel recorded both creates.
    expect(records.map((r) => r.object)).toEqual(expect.arrayContaining([hidden.name.key, shown.name.key]));
    await saveProvenance(sys, { kernel: 'mixed', paths: {}, records });
    const saved = (await loadProvenance(sys, '/.provenance/mixed')).records.map((r) => r.object);
    expect(saved).toContain(shown.name.key);
    expect(saved).not.toContain(hidden.name.key);
    expect(saved.some((o) => o === tag.name.key)).toBe(true);
  });
});
