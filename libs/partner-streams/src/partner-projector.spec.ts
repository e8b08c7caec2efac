import { createHmac, randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { EventType } from '@childledger/domain';
import { PartnerAgreement, parseAgreement } from './agreement';
import { TOMBSTONE_TYPE } from './cloudevent';
import { SHAREABLE_FIELDS } from './field-catalogue';
import { InMemoryRoutingState, PartnerProjector, SourceEvent } from './partner-projector';
import { Pseudonymiser } from './pseudonym';
import { agreementEventSchema, CLOUDEVENT_ENVELOPE_SCHEMA, partnerEventSchema } from './schemas';

const SECRET = 'test-secret-0123456789abcdef';
const provinceOf = (commune: string) => (/^\d{5}$/.test(commune) ? `${commune.slice(0, 2)}` : undefined);
const hmac = (s: string) => createHmac('sha256', SECRET).update(s).digest('hex');
const COMMUNES = ['01001', '01002', '79001', '79002', '48001'];
const CHILDREN = ['c1', 'c2', 'c3', 'c4'];
const T = new Date('2025-08-01T03:00:00Z');

// --- generator of plausible logs: every child registered before its other events, cases opened before their steps ---
type Step =
  | { kind: 'register'; child: number; commune: number }
  | { kind: 'move'; child: number; commune: number }
  | { kind: 'child-event'; child: number; type: EventType }
  | { kind: 'open-case'; child: number; caseNo: number }
  | { kind: 'case-event'; caseNo: number; type: EventType }
  | { kind: 'erase'; child: number };

const CHILD_TYPES: EventType[] = [
  'ChildDetailsCorrected',
  'SpecialCircumstanceIdentified',
  'RiskIdentified',
  'NationalIdLinked',
  'ChildRecordsMerged',
  'NoNationalRecordFound',
];
const CASE_STEP_TYPES: EventType[] = ['CaseAssessed', 'InterventionPlanned', 'InterventionDelivered', 'CaseReviewed', 'CaseClosed'];

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), child: fc.nat(3), commune: fc.nat(4) }),
  fc.record({ kind: fc.constant('move' as const), child: fc.nat(3), commune: fc.nat(4) }),
  fc.record({ kind: fc.constant('child-event' as const), child: fc.nat(3), type: fc.constantFrom(...CHILD_TYPES) }),
  fc.record({ kind: fc.constant('open-case' as const), child: fc.nat(3), caseNo: fc.nat(3) }),
  fc.record({ kind: fc.constant('case-event' as const), caseNo: fc.nat(3), type: fc.constantFrom(...CASE_STEP_TYPES) }),
  fc.record({ kind: fc.constant('erase' as const), child: fc.nat(3) }),
);

function dataFor(type: EventType, childId: string, caseId: string | undefined, n: number): Record<string, unknown> {
  const at = '2025-08-01T03:00:00.000Z';
  switch (type) {
    case 'ChildDetailsCorrected':
      return { childId, correctedFields: ['fullName', 'notes'], reason: 'typo', correctedAt: at, personal: { fullName: `Nguyễn Văn ${n}`, notes: null } };
    case 'SpecialCircumstanceIdentified':
      return { childId, group: 3, effectiveFrom: '2025-07-01', recordedAt: at };
    case 'RiskIdentified':
      return { childId, group: 4, effectiveFrom: '2025-07-01', recordedAt: at, personal: { description: `risk ${n}` } };
    case 'NationalIdLinked':
      return { childId, source: 'officer', linkedAt: at, personal: { personalId: '001216000123' } };
    case 'ChildRecordsMerged':
      return { childId, survivingChildId: 'c9', reason: 'duplicate', mergedAt: at };
    case 'NoNationalRecordFound':
      return { childId, source: 'identity_adapter', checkedAt: at };
    case 'CaseAssessed':
      return { caseId, riskLevel: 'high', assessedAt: at, dueAt: at, onTime: true, planDueAt: at, personal: { notes: `assessment ${n}` } };
    case 'InterventionPlanned':
      return {
        caseId,
        interventionId: `i${n}`,
        serviceType: 'health',
        provider: 'Trạm y tế',
        plannedStart: '2025-08-02',
        plannedEnd: '2025-09-01',
        plannedAt: at,
      };
    case 'InterventionDelivered':
      return {
        caseId,
        interventionId: `i${n}`,
        serviceType: 'health',
        provider: 'Trạm y tế',
        deliveredOn: '2025-08-20',
        dueAt: '2025-09-01',
        onTime: true,
        recordedAt: at,
        personal: { notes: `delivered ${n}` },
      };
    case 'CaseReviewed':
      return { caseId, reviewedAt: at, dueAt: at, onTime: false, personal: { notes: `review ${n}` } };
    case 'CaseClosed':
      return { caseId, outcome: 'goals_met', closedAt: at };
    default:
      throw new Error(type);
  }
}

/** Builds the log; `replay` reads it back as the encrypting store does after erasures (personal null, flagged). */
function buildLog(steps: Step[], replay: boolean): SourceEvent[] {
  const registered = new Map<string, string>();
  const cases = new Map<number, string>();
  const erased = new Set<string>();
  const out: SourceEvent[] = [];
  const push = (type: string, streamId: string, data: Record<string, unknown>) =>
    out.push({ id: randomUUID(), type, schemaVersion: 1, data, metadata: {}, streamId, recordedAt: new Date(T.getTime() + out.length * 1000) });
  steps.forEach((s, n) => {
    if (s.kind === 'register') {
      const childId = CHILDREN[s.child]!;
      if (registered.has(childId)) return;
      registered.set(childId, COMMUNES[s.commune]!);
      push('ChildRegistered', `child-${childId}`, {
        childId,
        sex: 'F',
        residence: { communeCode: COMMUNES[s.commune]!, effectiveFrom: '2025-07-01' },
        registeredAt: T.toISOString(),
        personal: { fullName: `Trần Thị ${n}`, dateOfBirth: '2016-03-14', personalId: '001316000456', motherName: `Mẹ ${n}` },
      });
    } else if (s.kind === 'move') {
      const childId = CHILDREN[s.child]!;
      const prev = registered.get(childId);
      if (!prev || erased.has(childId)) return;
      registered.set(childId, COMMUNES[s.commune]!);
      push('ResidenceChanged', `child-${childId}`, {
        childId,
        communeCode: COMMUNES[s.commune]!,
        effectiveFrom: '2025-08-01',
        previousCommuneCode: prev,
        recordedAt: T.toISOString(),
      });
    } else if (s.kind === 'child-event') {
      const childId = CHILDREN[s.child]!;
      if (!registered.has(childId) || erased.has(childId)) return;
      push(s.type, `child-${childId}`, dataFor(s.type, childId, undefined, n));
    } else if (s.kind === 'open-case') {
      const childId = CHILDREN[s.child]!;
      if (!registered.has(childId) || cases.has(s.caseNo)) return;
      const caseId = `case-no-${s.caseNo}`;
      cases.set(s.caseNo, childId);
      push('CaseOpened', `case-${caseId}`, {
        caseId,
        childId,
        channel: 'school',
        concern: 'neglect',
        protectionLevel: 'support',
        reportedAt: T.toISOString(),
        openedAt: T.toISOString(),
        assessmentDueAt: T.toISOString(),
        personal: { description: `report ${n}` },
      });
    } else if (s.kind === 'case-event') {
      if (!cases.has(s.caseNo)) return;
      push(s.type, `case-case-no-${s.caseNo}`, dataFor(s.type, cases.get(s.caseNo)!, `case-no-${s.caseNo}`, n));
    } else {
      const childId = CHILDREN[s.child]!;
      if (!registered.has(childId) || erased.has(childId)) return;
      erased.add(childId);
      push('ChildPersonalDataErased', `child-${childId}`, { childId, reason: 'request of the guardian', erasedAt: T.toISOString() });
    }
  });
  if (!replay) return out;
  // The encrypting store: every event of an erased child (its cases' too) reads back with personal null.
  const childOfCase = new Map<string, string>();
  for (const e of out) if (e.type === 'CaseOpened') childOfCase.set(e.data['caseId'] as string, e.data['childId'] as string);
  return out.map((e) => {
    const childId = (e.data['childId'] as string | undefined) ?? childOfCase.get(e.data['caseId'] as string);
    if (!childId || !erased.has(childId) || !('personal' in e.data)) return e;
    return { ...e, data: { ...e.data, personal: null }, metadata: { ...e.metadata, personalDataErased: true } };
  });
}

const agreementArb: fc.Arbitrary<PartnerAgreement> = fc
  .record({
    types: fc.subarray(Object.keys(SHAREABLE_FIELDS) as EventType[], { minLength: 1 }),
    seed: fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
    jurisdictions: fc.oneof(fc.constant(['*']), fc.subarray(['01', '79', '01002', '48001'], { minLength: 1 })),
  })
  .map(({ types, seed, jurisdictions }) => {
    let k = 0;
    const events: Partial<Record<EventType, string[]>> = {};
    for (const t of types) events[t] = Object.keys(SHAREABLE_FIELDS[t]).filter(() => seed[k++ % seed.length]);
    return parseAgreement({ id: 'partner-x', name: 'X', sector: 'health', events, jurisdictions, channels: ['http'] });
  });

function flatten(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** An independent statement of the rules, written for the test. */
function expectedStream(log: SourceEvent[], a: PartnerAgreement) {
  const inJ = (c: string | undefined) => !!c && (a.jurisdictions.includes('*') || a.jurisdictions.includes(c) || a.jurisdictions.includes(c.slice(0, 2)));
  const home = new Map<string, string>();
  const caseChild = new Map<string, string>();
  const erased = new Set<string>();
  const shared = new Set<string>();
  const out: { id: string; subject: string; paths: string[] }[] = [];
  for (const e of log) {
    const d = e.data;
    if (e.type === 'CaseOpened') caseChild.set(d['caseId'] as string, d['childId'] as string);
    const child =
      (d['childId'] as string | undefined) && !e.type.startsWith('Case')
        ? (d['childId'] as string)
        : e.type === 'CaseOpened'
          ? (d['childId'] as string)
          : caseChild.get(d['caseId'] as string);
    if (!child) continue;
    let visible: boolean;
    if (e.type === 'ChildRegistered') {
      home.set(child, (d['residence'] as { communeCode: string }).communeCode);
      visible = inJ(home.get(child));
    } else if (e.type === 'ResidenceChanged') {
      visible = inJ(d['previousCommuneCode'] as string) || inJ(d['communeCode'] as string);
      home.set(child, d['communeCode'] as string);
    } else visible = inJ(home.get(child));
    if (e.type === 'ChildPersonalDataErased') erased.add(child);
    const fields = a.events[e.type as EventType];
    if (visible && fields) {
      const paths = fields.filter((f) => {
        if (f.startsWith('personal.') && (erased.has(child) || d['personal'] === null)) return false;
        let cur: unknown = d;
        for (const p of f.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[p];
        return cur !== undefined;
      });
      out.push({ id: e.id, subject: hmac(child), paths: paths.sort() });
      shared.add(child);
    }
    if (e.type === 'ChildPersonalDataErased' && shared.has(child)) out.push({ id: `${e.id}.tombstone`, subject: hmac(child), paths: [] });
  }
  return out;
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validateEnvelope = ajv.compile(CLOUDEVENT_ENVELOPE_SCHEMA);
const typeSchemas = new Map<EventType, ReturnType<typeof ajv.compile>>();
const typeSchema = (t: EventType) => {
  if (!typeSchemas.has(t)) typeSchemas.set(t, ajv.compile(partnerEventSchema(t)));
  return typeSchemas.get(t)!;
};

describe(PartnerProjector.name, () => {
  it('property: for random logs and random agreements, the stream holds exactly the allowed events, with exactly the allowed fields, in log order', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), agreementArb, fc.integer({ min: 1, max: 7 }), (steps, agreement, batch) => {
        const log = buildLog(steps, false);
        const projector = new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf);
        const state = new InMemoryRoutingState();
        const entries = [];
        for (let i = 0; i < log.length; i += batch) entries.push(...projector.project(log.slice(i, i + batch), state).entries);
        const got = entries.map((x) => ({ id: x.event.id, subject: x.event.subject, paths: x.event.data ? flatten(x.event.data).sort() : [] }));
        expect(got).toEqual(expectedStream(log, agreement));
        for (const { event } of entries) {
          expect(validateEnvelope(event)).toBe(true);
          if (event.type === TOMBSTONE_TYPE) continue;
          const type = event.type.split('.')[3] as EventType;
          expect(ajv.validate(agreementEventSchema(agreement, type), event.data)).toBe(true);
          expect(typeSchema(type)(event.data)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: routes are saved only when an event changed them, and a state saved batch by batch that way projects the same stream as one kept whole', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), agreementArb, fc.integer({ min: 1, max: 7 }), (steps, agreement, batch) => {
        const log = buildLog(steps, false);
        const projector = new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf);
        const whole = new InMemoryRoutingState();
        const expected = projector.project(log, whole).entries.map((x) => x.event);
        // As the PostgreSQL adapter does: each batch loads the saved routes and saves those it changed.
        const saved = { children: new Map<string, { communeCode: string | null; erased: boolean; shared: boolean }>(), cases: new Map<string, string>() };
        const got = [];
        for (let i = 0; i < log.length; i += batch) {
          const state = new InMemoryRoutingState();
          for (const [k, v] of saved.children) state.children.set(k, { ...v });
          for (const [k, v] of saved.cases) state.cases.set(k, v);
          const before = new Map([...state.children].map(([k, v]) => [k, { ...v }]));
          got.push(...projector.project(log.slice(i, i + batch), state).entries.map((x) => x.event));
          for (const [k, v] of state.children) {
            if (!state.changedChildren.has(k)) expect(v).toEqual(before.get(k));
          }
          for (const k of state.changedChildren) saved.children.set(k, { ...state.children.get(k)! });
          for (const k of state.changedCases) saved.cases.set(k, state.cases.get(k)!);
        }
        expect(got).toEqual(expected);
        expect(saved.children).toEqual(whole.children);
      }),
      { numRuns: 300 },
    );
  });

  it('does not set a route again for an event that leaves it as it was', () => {
    const log = buildLog(
      [
        { kind: 'register', child: 0, commune: 0 },
        { kind: 'child-event', child: 0, type: 'SpecialCircumstanceIdentified' },
        { kind: 'move', child: 0, commune: 0 },
        { kind: 'move', child: 0, commune: 1 },
      ],
      false,
    );
    const agreement = parseAgreement({
      id: 'health-a',
      name: 'A',
      sector: 'health',
      jurisdictions: ['*'],
      channels: ['http'],
      events: { ChildRegistered: ['sex'], SpecialCircumstanceIdentified: ['group'] },
    });
    const projector = new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf);
    const state = new InMemoryRoutingState();
    projector.project(log.slice(0, 1), state);
    expect([...state.changedChildren]).toEqual(['c1']);
    const changedBy = (e: SourceEvent) => {
      state.clearChanges();
      projector.project([e], state);
      return state.changedChildren.size;
    };
    expect(log.slice(1).map(changedBy)).toEqual([0, 0, 1]);
    expect(state.children.get('c1')).toEqual({ communeCode: COMMUNES[1], erased: false, shared: true });
  });

  it('property: no personal field of an erased child is sent after its erasure, live or on replay, and its key gets a tombstone', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), agreementArb, fc.boolean(), (steps, agreement, replay) => {
        const log = buildLog(steps, replay);
        const projector = new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf);
        const { entries, erasedChildren } = projector.project(log, new InMemoryRoutingState());
        const erasedAt = new Map<string, number>();
        log.forEach((e, i) => e.type === 'ChildPersonalDataErased' && erasedAt.set(e.data['childId'] as string, i));
        const index = new Map(log.map((e, i) => [e.id, i]));
        for (const x of entries) {
          const at = erasedAt.get(x.childId);
          if (at === undefined) continue;
          const i = index.get(x.sourceEventId)!;
          if (replay || i >= at) expect(x.event.data?.['personal']).toBeUndefined();
        }
        expect(erasedChildren.sort()).toEqual([...erasedAt.keys()].sort());
        for (const child of erasedAt.keys()) {
          // Something about the child reached the partner up to its erasure (what is shared after it
          // carries no personal field, so it needs no tombstone).
          const sharedBefore = entries.some(
            (x) => x.childId === child && !x.event.id.endsWith('.tombstone') && index.get(x.sourceEventId)! <= erasedAt.get(child)!,
          );
          expect(entries.some((x) => x.childId === child && x.event.type === TOMBSTONE_TYPE)).toBe(sharedBefore);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keys a child by the HMAC of its id under the partner secret: two partners get unrelated keys; identifiers are never sent in clear', () => {
    const log = buildLog(
      [
        { kind: 'register', child: 0, commune: 0 },
        { kind: 'open-case', child: 0, caseNo: 1 },
        { kind: 'case-event', caseNo: 1, type: 'InterventionPlanned' },
      ],
      false,
    );
    const agreement = parseAgreement({
      id: 'health-a',
      name: 'A',
      sector: 'health',
      jurisdictions: ['*'],
      channels: ['kafka'],
      events: { ChildRegistered: ['sex'], CaseOpened: ['caseId'], InterventionPlanned: ['caseId', 'interventionId', 'serviceType'] },
    });
    const a = new PartnerProjector(agreement, new Pseudonymiser('secret-of-partner-a-000'), provinceOf).project(log, new InMemoryRoutingState()).entries;
    const b = new PartnerProjector(agreement, new Pseudonymiser('secret-of-partner-b-000'), provinceOf).project(log, new InMemoryRoutingState()).entries;
    expect(a.map((x) => x.event.subject)).toEqual(Array(3).fill(createHmac('sha256', 'secret-of-partner-a-000').update('c1').digest('hex')));
    expect(a[0]!.event.subject).not.toEqual(b[0]!.event.subject);
    const text = JSON.stringify(a.map((x) => x.event));
    expect(text).not.toContain('case-no-1');
    expect(text).not.toContain('"c1"');
    expect(a[2]!.event.data).toEqual({ caseId: a[1]!.event.data!['caseId'], interventionId: expect.stringMatching(/^[0-9a-f]{64}$/), serviceType: 'health' });
  });

  it('sends the national personal ID only where the agreement names it', () => {
    const log = buildLog([{ kind: 'register', child: 1, commune: 2 }], false);
    const withId = parseAgreement({
      id: 'police',
      name: 'P',
      sector: 'public_security',
      jurisdictions: ['79'],
      channels: ['http'],
      events: { ChildRegistered: ['personal.personalId', 'sex'] },
    });
    const without = parseAgreement({
      id: 'school',
      name: 'S',
      sector: 'education',
      jurisdictions: ['79'],
      channels: ['http'],
      events: { ChildRegistered: ['personal.dateOfBirth', 'sex'] },
    });
    const k = new Pseudonymiser(SECRET);
    expect(new PartnerProjector(withId, k, provinceOf).project(log, new InMemoryRoutingState()).entries[0]!.event.data).toEqual({
      sex: 'F',
      personal: { personalId: '001316000456' },
    });
    expect(new PartnerProjector(without, k, provinceOf).project(log, new InMemoryRoutingState()).entries[0]!.event.data).toEqual({
      sex: 'F',
      personal: { dateOfBirth: '2016-03-14' },
    });
  });

  it('keeps the traceparent the source event was written under beside the entry (tombstone too), never in the CloudEvent; a malformed one is dropped', () => {
    const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const log = buildLog(
      [
        { kind: 'register', child: 0, commune: 0 },
        { kind: 'child-event', child: 0, type: 'NationalIdLinked' },
        { kind: 'erase', child: 0 },
      ],
      false,
    );
    const traced = log.map((e, i) => ({ ...e, metadata: { ...e.metadata, traceparent: i === 1 ? 'not-a-traceparent' : TRACE } }));
    const agreement = parseAgreement({
      id: 'health-a',
      name: 'A',
      sector: 'health',
      jurisdictions: ['*'],
      channels: ['kafka'],
      events: { ChildRegistered: ['sex'], NationalIdLinked: ['linkedAt'], ChildPersonalDataErased: ['erasedAt'] },
    });
    const { entries } = new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf).project(traced, new InMemoryRoutingState());
    expect(entries.map((x) => [x.event.type.split('.')[3], x.traceparent])).toEqual([
      ['ChildRegistered', TRACE],
      ['NationalIdLinked', undefined],
      ['ChildPersonalDataErased', TRACE],
      [TOMBSTONE_TYPE.split('.')[3], TRACE],
    ]);
    expect(JSON.stringify(entries.map((x) => x.event))).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('refuses an event whose schema version no upcaster lifted', () => {
    const log = buildLog([{ kind: 'register', child: 1, commune: 2 }], false).map((e) => ({ ...e, schemaVersion: 0 }));
    const agreement = parseAgreement({
      id: 'police',
      name: 'P',
      sector: 'public_security',
      jurisdictions: ['*'],
      channels: ['http'],
      events: { ChildRegistered: ['sex'] },
    });
    expect(() => new PartnerProjector(agreement, new Pseudonymiser(SECRET), provinceOf).project(log, new InMemoryRoutingState())).toThrow(
      /schema version 0, expected 1/,
    );
  });
});
