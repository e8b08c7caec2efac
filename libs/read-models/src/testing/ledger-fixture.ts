import { randomUUID } from 'node:crypto';
import type { AdministrativeUnits } from '@childledger/admin-units';
import {
  CaseCommand,
  caseDecider,
  CaseEvent,
  CaseState,
  caseStreamId,
  ChildCommand,
  childDecider,
  ChildEvent,
  ChildState,
  childStreamId,
  DEFAULT_CASE_DEADLINES,
} from '@childledger/domain';
import type {
  Actor,
  EventStore,
  RecordedEvent,
  EventMetadata,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
  NewEvent,
  AppendOptions,
  AppendResult,
} from '@childledger/event-store';

type DataOf<C extends { type: string; data: unknown }, T extends C['type']> = Extract<C, { type: T }>['data'];

export interface FixtureOptions {
  at: string | Date;
  actor?: Actor;
  reason?: string;
  correlationId?: string;
}

const DEFAULT_ACTOR: Actor = { userId: 'fixture-officer', role: 'data_officer', unit: '00004' };

/**
 * Writes domain events the way the registry does: commands decided by the real deciders (so the
 * fixtures carry the real event shapes and invariants), appended with the expected revision and
 * the metadata the registry records (actor, correlation id, reason).
 */
export class LedgerFixture {
  private readonly children = new Map<string, { state: ChildState; revision: number }>();
  private readonly cases = new Map<string, { state: CaseState; revision: number }>();
  /** When each event "happened" in the fixture's story (the command's clock), by event id. */
  readonly happenedAt = new Map<string, Date>();

  constructor(
    private readonly store: EventStore,
    private readonly units: AdministrativeUnits,
  ) {}

  async child<T extends ChildCommand['type']>(childId: string, type: T, data: DataOf<ChildCommand, T>, options: FixtureOptions): Promise<ChildEvent[]> {
    const current = this.children.get(childId) ?? { state: childDecider.initialState(), revision: -1 };
    const command = { type, data, context: { now: new Date(options.at), units: this.units } } as ChildCommand;
    const events = childDecider.decide(command, current.state);
    await this.store.append(
      childStreamId(childId),
      events.map((e) => this.toNew(e, options)),
      { expectedRevision: current.revision < 0 ? 'no_stream' : current.revision },
    );
    this.children.set(childId, { state: events.reduce(childDecider.evolve, current.state), revision: current.revision + events.length });
    return events;
  }

  async case<T extends CaseCommand['type']>(caseId: string, type: T, data: DataOf<CaseCommand, T>, options: FixtureOptions): Promise<CaseEvent[]> {
    const current = this.cases.get(caseId) ?? { state: caseDecider.initialState(), revision: -1 };
    const command = { type, data, context: { now: new Date(options.at), deadlines: DEFAULT_CASE_DEADLINES } } as CaseCommand;
    const events = caseDecider.decide(command, current.state);
    await this.store.append(
      caseStreamId(caseId),
      events.map((e) => this.toNew(e, { actor: { userId: 'fixture-case-worker', role: 'case_worker', unit: '01' }, ...options })),
      {
        expectedRevision: current.revision < 0 ? 'no_stream' : current.revision,
      },
    );
    this.cases.set(caseId, { state: events.reduce(caseDecider.evolve, current.state), revision: current.revision + events.length });
    return events;
  }

  /**
   * Test only: moves each event's `recorded_at` to the moment its command ran in the story, so that
   * recorded-time queries see a history spread over the years. Needs the owner role (the
   * application role may not UPDATE events).
   */
  async backdate(owner: { query(sql: string, params: unknown[]): Promise<unknown> }): Promise<void> {
    const rows = [...this.happenedAt].map(([id, at]) => ({ id, at: at.toISOString() }));
    await owner.query(`UPDATE events e SET recorded_at = r.at FROM jsonb_to_recordset($1) AS r(id uuid, at timestamptz) WHERE e.event_id = r.id`, [
      JSON.stringify(rows),
    ]);
  }

  private toNew(e: ChildEvent | CaseEvent, options: FixtureOptions): NewEvent {
    const metadata: EventMetadata = { actor: options.actor ?? DEFAULT_ACTOR, correlationId: options.correlationId ?? randomUUID() };
    if (options.reason) metadata.reason = options.reason;
    const id = randomUUID();
    this.happenedAt.set(id, new Date(options.at));
    return { id, type: e.type, schemaVersion: e.schemaVersion ?? 1, data: e.data as unknown as Record<string, unknown>, metadata };
  }
}

/**
 * Stands in for the encrypting decorator another engineer is building: once a child's personal
 * data is erased, every event of that child reads back with `data.personal === null` and
 * `metadata.personalDataErased === true`. Wraps the real store; reads only.
 */
export class ErasedReadsStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly erasedChildren: ReadonlySet<string>,
  ) {}

  private mask = (e: RecordedEvent): RecordedEvent => {
    const childId = (e.data as Record<string, unknown>)['childId'];
    if (typeof childId !== 'string' || !this.erasedChildren.has(childId) || !('personal' in e.data)) return e;
    return { ...e, data: { ...e.data, personal: null }, metadata: { ...e.metadata, personalDataErased: true } };
  };

  append(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(streamId, events, options);
  }
  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(this.mask);
  }
  async readAll(options?: ReadAllOptions): Promise<ReadAllResult> {
    const r = await this.inner.readAll(options);
    return { ...r, events: r.events.map(this.mask) };
  }
  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe({ ...options, handler: (events, checkpoint) => options.handler(events.map(this.mask), checkpoint) });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
