/**
 * Free text that can hold personal data, outside `data.personal`:
 *
 * - in **metadata**, the paths below. Writers put them where they always did (`metadata.reason`,
 *   the identity adapter's `metadata.match.explanation`, the importer's `metadata.import.recordRef`);
 *   the encrypting store moves them into `metadata.personal`, sealed with the child's key like
 *   `data.personal`, and puts them back on read. After erasure they are gone from every read
 *   (`metadata.personal: null`).
 * - in **data**, nothing any more: the domain writes free-text reasons as `data.personal.reason`.
 *   Events written before that (schema 1 of the types below) hold `data.reason` in clear; the read
 *   path moves it to `data.personal.reason`, and drops it once the child is erased. The stored
 *   bytes of those events keep it (events are immutable; see docs/trust.md, "What erasure cannot
 *   reach").
 */
export const SEALED_METADATA_PATHS: readonly (readonly string[])[] = [['reason'], ['match', 'explanation'], ['import', 'recordRef']];

/**
 * Event types whose `data.reason` was written in clear before reasons moved under `data.personal`
 * (mirrors the domain: every type with `personal.reason` in PERSONAL_FIELDS; a registry test holds
 * the two lists equal). `ChildPersonalDataErased` is not one: its legal reason stays in clear so
 * that it outlives the erasure it explains, and must not hold personal data.
 */
export const LEGACY_PLAINTEXT_REASON_TYPES: readonly string[] = [
  'ChildDetailsCorrected',
  'SpecialCircumstanceEnded',
  'NationalIdUnlinked',
  'IdentityReviewRequested',
  'ChildRecordsMerged',
  'ChildRecordsMergeReverted',
  'CaseReferred',
  'CaseReopened',
];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The free-text values of `metadata` (dotted path → value) and the metadata without them. */
export function takeMetadataFreeText(metadata: Json | undefined): { freeText: Json; rest: Json | undefined } {
  if (!metadata) return { freeText: {}, rest: metadata };
  const freeText: Json = {};
  let rest: Json = metadata;
  for (const path of SEALED_METADATA_PATHS) {
    const value = get(metadata, path);
    if (value === undefined || value === null || value === '') continue;
    freeText[path.join('.')] = value;
    rest = without(rest, path);
  }
  return { freeText, rest };
}

/** `metadata` with the sealed values put back where their writers put them. */
export function restoreMetadataFreeText(metadata: Json, freeText: Json): Json {
  let out = metadata;
  for (const [dotted, value] of Object.entries(freeText)) out = withValue(out, dotted.split('.'), value);
  return out;
}

/** `metadata` without any of the free-text paths (a legacy event of an erased child). */
export function dropMetadataFreeText(metadata: Json): { metadata: Json; dropped: boolean } {
  let out = metadata;
  let dropped = false;
  for (const path of SEALED_METADATA_PATHS) {
    if (get(out, path) === undefined) continue;
    out = without(out, path);
    dropped = true;
  }
  return { metadata: out, dropped };
}

export function hasMetadataFreeText(metadata: Json | undefined): boolean {
  return metadata !== undefined && SEALED_METADATA_PATHS.some((p) => get(metadata, p) !== undefined);
}

function get(o: Json, path: readonly string[]): unknown {
  let cur: unknown = o;
  for (const k of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function without(o: Json, path: readonly string[]): Json {
  const [head, ...tail] = path as [string, ...string[]];
  if (!(head in o)) return o;
  if (tail.length === 0) {
    const { [head]: _removed, ...rest } = o;
    return rest;
  }
  const child = o[head];
  return isObject(child) ? { ...o, [head]: without(child, tail) } : o;
}

function withValue(o: Json, path: readonly string[], value: unknown): Json {
  const [head, ...tail] = path as [string, ...string[]];
  if (tail.length === 0) return { ...o, [head]: value };
  const child = o[head];
  return { ...o, [head]: withValue(isObject(child) ? child : {}, tail, value) };
}
