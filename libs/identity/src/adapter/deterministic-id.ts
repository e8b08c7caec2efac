import { createHash } from 'node:crypto';

/** A UUID derived from a name (same name, same id): what makes re-processing an event append nothing new. */
export function deterministicUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  // Version 8 (custom), RFC 9562 variant bits.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
