import type { NewEvent, RecordedEvent } from '@childledger/event-store';
import type { DataKeyring } from '../keys/data-keyring';
import { decryptPersonal, encryptPersonal, isEnvelope } from './envelope';

const CHILD_PREFIX = 'child-';
const CASE_PREFIX = 'case-';

/** Personal data in an event whose child cannot be told: refused rather than stored unencrypted. */
export class PersonalDataSubjectError extends Error {
  constructor(streamId: string, eventId: string) {
    super(`event ${eventId} in ${streamId} carries personal data but names no child (child-<id> stream or data.childId)`);
    this.name = 'PersonalDataSubjectError';
  }
}

function personalOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  const p = data.personal;
  return p !== null && typeof p === 'object' && !Array.isArray(p) && !isEnvelope(p) ? (p as Record<string, unknown>) : undefined;
}

/**
 * Seals `data.personal` on the way in and opens it on the way out; shared by the encrypting
 * decorators. The subject is the child: for `child-<id>` streams the id in the name; otherwise
 * `data.childId`; for case events without it (everything after `CaseOpened`), the `childId` of
 * the case stream's first event (looked up once per case, then remembered).
 */
export class PersonalDataCipher {
  private readonly caseChild = new Map<string, string>();

  constructor(
    private readonly keyring: DataKeyring,
    /** The stream's first stored event (undecrypted is fine: only `data.childId` is read). */
    private readonly firstEventOf: (streamId: string) => Promise<RecordedEvent | undefined>,
  ) {}

  /** The events as they will be stored. */
  async encrypt(streamId: string, events: readonly NewEvent[]): Promise<NewEvent[]> {
    const subjects: (string | undefined)[] = [];
    for (const e of events) {
      const personal = personalOf(e.data);
      // Empty personal objects hold nothing: they stay `{}` and need no key (so an erased child's
      // case can still take events that carry no personal data).
      if (personal === undefined || Object.keys(personal).length === 0) {
        subjects.push(undefined);
        continue;
      }
      const subject = await this.subjectOf(streamId, e, events);
      if (subject === undefined) throw new PersonalDataSubjectError(streamId, e.id);
      subjects.push(subject);
    }
    const needed = new Set(subjects.filter((s): s is string => s !== undefined));
    if (needed.size === 0) return [...events];
    // A registration is the child's first event: its key almost certainly does not exist yet.
    const probablyNew = events.every((e, i) => subjects[i] === undefined || e.type === 'ChildRegistered');
    const keys = await this.keyring.findOrCreate(needed, { probablyNew });
    return events.map((e, i) => {
      const subject = subjects[i];
      if (subject === undefined) return e;
      return { ...e, data: { ...e.data, personal: encryptPersonal(keys.get(subject)!, e.id, personalOf(e.data)!) } };
    });
  }

  /** Decrypts envelopes in place of `data.personal`; erased subjects read as `personal: null`, `metadata.personalDataErased: true`. */
  async decrypt(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const subjects = new Set<string>();
    for (const e of events) if (isEnvelope(e.data.personal)) subjects.add(e.data.personal.subject);
    if (subjects.size === 0) return events;
    const keys = await this.keyring.find(subjects);
    return events.map((e) => {
      const envelope = e.data.personal;
      if (!isEnvelope(envelope)) return e;
      const key = keys.get(envelope.subject);
      if (!key) return { ...e, data: { ...e.data, personal: null }, metadata: { ...e.metadata, personalDataErased: true } };
      try {
        return { ...e, data: { ...e.data, personal: decryptPersonal(key, e.id, envelope) } };
      } catch {
        // Not an erasure: the stored ciphertext does not authenticate (altered, or moved from another event).
        throw new Error(`personal data of event ${e.id} (${e.streamId}) failed authentication: the stored envelope was altered`);
      }
    });
  }

  private async subjectOf(streamId: string, event: NewEvent, batch: readonly NewEvent[]): Promise<string | undefined> {
    if (streamId.startsWith(CHILD_PREFIX) && streamId.length > CHILD_PREFIX.length) return streamId.slice(CHILD_PREFIX.length);
    const own = event.data.childId;
    if (typeof own === 'string' && own.length > 0) return own;
    if (!streamId.startsWith(CASE_PREFIX)) return undefined;
    const known = this.caseChild.get(streamId);
    if (known) return known;
    // The case's child is named by its first event (CaseOpened), in this batch or already stored.
    const stored = await this.firstEventOf(streamId);
    const first = stored ? stored.data.childId : batch[0]?.data.childId;
    if (typeof first !== 'string' || first.length === 0) return undefined;
    if (this.caseChild.size > 100_000) this.caseChild.clear();
    this.caseChild.set(streamId, first);
    return first;
  }
}
