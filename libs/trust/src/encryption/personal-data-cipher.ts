import type { NewEvent, RecordedEvent } from '@childledger/event-store';
import type { DataKeyring } from '../keys/data-keyring';
import { DataKey, decryptPersonal, encryptPersonal, isEnvelope } from './envelope';
import { dropMetadataFreeText, hasMetadataFreeText, LEGACY_PLAINTEXT_REASON_TYPES, restoreMetadataFreeText, takeMetadataFreeText } from './free-text';

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

  /** The events as they will be stored: `data.personal` and the metadata's free text (free-text.ts) sealed. */
  async encrypt(streamId: string, events: readonly NewEvent[]): Promise<NewEvent[]> {
    const subjects: (string | undefined)[] = [];
    const freeTexts: Record<string, unknown>[] = [];
    for (const e of events) {
      const personal = personalOf(e.data);
      const { freeText } = takeMetadataFreeText(e.metadata);
      freeTexts.push(freeText);
      // Empty personal objects hold nothing: they stay `{}` and need no key (so an erased child's
      // case can still take events that carry no personal data).
      if ((personal === undefined || Object.keys(personal).length === 0) && Object.keys(freeText).length === 0) {
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
      const key = keys.get(subject)!;
      const personal = personalOf(e.data);
      const data = personal !== undefined && Object.keys(personal).length > 0 ? { ...e.data, personal: encryptPersonal(key, e.id, personal) } : e.data;
      const freeText = freeTexts[i]!;
      if (Object.keys(freeText).length === 0) return { ...e, data };
      const { rest } = takeMetadataFreeText(e.metadata);
      return { ...e, data, metadata: { ...rest, personal: encryptPersonal(key, e.id, freeText, 'metadata') } };
    });
  }

  /**
   * Opens the envelopes: `data.personal` in place, the metadata's free text back where its writer
   * put it. Erased subjects read as `personal: null` (data and metadata alike, free text gone) and
   * `metadata.personalDataErased: true`. Events written before free text was sealed (plaintext
   * `data.reason`, `metadata.reason`, …) read in today's shape (`data.personal.reason`), and without
   * that text once their child is erased.
   */
  async decrypt(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const subjects = new Set<string>();
    const legacySubject = new Map<RecordedEvent, string>();
    for (const e of events) {
      if (isEnvelope(e.data.personal)) subjects.add(e.data.personal.subject);
      if (isEnvelope(e.metadata.personal)) subjects.add(e.metadata.personal.subject);
      if (isLegacy(e)) {
        const subject = isEnvelope(e.data.personal) ? e.data.personal.subject : await this.subjectOf(e.streamId, e, []);
        if (subject !== undefined) {
          legacySubject.set(e, subject);
          subjects.add(subject);
        }
      }
    }
    if (subjects.size === 0) return events;
    const keys = await this.keyring.find(subjects);
    return events.map((e) => {
      let out = e;
      const envelope = e.data.personal;
      if (isEnvelope(envelope)) out = this.open(out, keys.get(envelope.subject), envelope, 'data');
      const metaEnvelope = e.metadata.personal;
      if (isEnvelope(metaEnvelope)) out = this.open(out, keys.get(metaEnvelope.subject), metaEnvelope, 'metadata');
      const subject = legacySubject.get(e);
      if (subject !== undefined) out = upcastLegacyFreeText(out, keys.has(subject));
      return out;
    });
  }

  private open(e: RecordedEvent, key: DataKey | undefined, envelope: Parameters<typeof decryptPersonal>[2], purpose: 'data' | 'metadata'): RecordedEvent {
    if (!key) {
      return purpose === 'data'
        ? { ...e, data: { ...e.data, personal: null }, metadata: { ...e.metadata, personalDataErased: true } }
        : { ...e, metadata: { ...e.metadata, personal: null, personalDataErased: true } };
    }
    let opened: Record<string, unknown>;
    try {
      opened = decryptPersonal(key, e.id, envelope, purpose);
    } catch {
      // Not an erasure: the stored ciphertext does not authenticate (altered, or moved from another event).
      const where = purpose === 'data' ? 'personal data' : 'sealed metadata';
      throw new Error(`${where} of event ${e.id} (${e.streamId}) failed authentication: the stored envelope was altered`);
    }
    if (purpose === 'data') return { ...e, data: { ...e.data, personal: opened } };
    const { personal: _sealed, ...metadata } = e.metadata;
    return { ...e, metadata: restoreMetadataFreeText(metadata, opened) };
  }

  private async subjectOf(
    streamId: string,
    event: { data: Record<string, unknown> },
    batch: readonly { data: Record<string, unknown> }[],
  ): Promise<string | undefined> {
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

/** A stored event with free text in clear: written before it was sealed. */
function isLegacy(e: RecordedEvent): boolean {
  return (LEGACY_PLAINTEXT_REASON_TYPES.includes(e.type) && typeof e.data.reason === 'string') || hasMetadataFreeText(e.metadata);
}

/**
 * A stored event from before free text was sealed, read in today's shape: `data.reason` moves to
 * `data.personal.reason`. If the child is erased, that text and the metadata's free text are left
 * out of the read (`personal: null`, `personalDataErased: true`); the stored row still holds them.
 */
function upcastLegacyFreeText(e: RecordedEvent, keyExists: boolean): RecordedEvent {
  let data = e.data;
  let metadata = e.metadata;
  if (LEGACY_PLAINTEXT_REASON_TYPES.includes(e.type) && typeof data.reason === 'string') {
    const { reason, ...rest } = data;
    const personal = data.personal;
    if (!keyExists) data = { ...rest, personal: null };
    else data = { ...rest, personal: { ...(personal !== null && typeof personal === 'object' ? (personal as Record<string, unknown>) : {}), reason } };
  }
  if (!keyExists) {
    const dropped = dropMetadataFreeText(metadata);
    metadata = { ...dropped.metadata, ...(dropped.dropped ? { personal: null } : {}), personalDataErased: true };
  }
  return data === e.data && metadata === e.metadata ? e : { ...e, data, metadata };
}
