/**
 * The provenance ring kept column by column: what goes in comes out, field
 * for field (optional ones only when set), oldest first, the oldest dropped
 * once full, across the columns' growth; subscribers hear each record.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Label, ObjectType, ProvenanceLog, type ProvenanceRecord } from '@dios/kernel';

const recordArb: fc.Arbitrary<ProvenanceRecord> = fc
  .record(
    {
      at: fc.integer({ min: 0, max: 2 ** 45 }),
      task: fc.string({ minLength: 1, maxLength: 8 }),
      program: fc.string({ maxLength: 6 }),
      object: fc.string({ maxLength: 8 }),
      objectType: fc.constantFrom(ObjectType.SHARED_MEMORY_BLOB, ObjectType.TASK, ObjectType.SHARED_MEMORY_STREAM),
      operation: fc.constantFrom('read', 'write', 'create', 'copy', 'run', 'modify', 'label' as const),
      syscall: fc.constantFrom('beginRead', 'endWrite', 'create'),
      bytes: fc.nat(),
      version: fc.nat(),
      allowed: fc.boolean(),
      child: fc.string({ minLength: 1, maxLength: 8 }),
      home: fc.constantFrom('a', 'b'),
      taskLabel: fc.constant(Label.EMPTY),
      objectLabel: fc.constant(Label.EMPTY),
    },
    {
      requiredKeys: [
        'at',
        'task',
        'program',
        'object',
        'objectType',
        'operation',
        'syscall',
        'bytes',
        'version',
        'allowed',
      ],
    },
  )
  .map((r) => r as ProvenanceRecord);

describe('ProvenanceLog', () => {
  it('keeps the last `capacity` records, oldest first, equal field for field', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2100 }), fc.array(recordArb, { maxLength: 2600 }), (capacity, added) => {
        const log = new ProvenanceLog(capacity);
        const heard: ProvenanceRecord[] = [];
        log.subscribe((r) => heard.push(r));
        for (const r of added) log.add(r);
        const kept = added.slice(Math.max(0, added.length - capacity));
        expect(log.records()).toEqual(kept);
        expect(heard).toEqual(added);
        expect(log.size).toBe(kept.length);
        expect(log.total).toBe(added.length);
        expect(log.dropped).toBe(added.length - kept.length);
      }),
      { numRuns: 40 },
    );
  });

  it('leaves optional fields out when they were not set (a record read back has no labels)', () => {
    const log = new ProvenanceLog(4);
    log.add({
      at: 1,
      task: 't',
      program: 'p',
      object: 'o',
      objectType: ObjectType.TASK,
      operation: 'read',
      syscall: 'select',
      bytes: 0,
      version: 3,
      allowed: true,
      child: undefined,
    });
    expect(Object.keys(log.records()[0]!)).toEqual([
      'at',
      'task',
      'program',
      'object',
      'objectType',
      'operation',
      'syscall',
      'bytes',
      'version',
      'allowed',
    ]);
  });
});
