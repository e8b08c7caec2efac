import { createHash } from 'node:crypto';

/** Namespace of ChildLedger's name-based ids (a random v4, fixed forever). */
export const CHILDLEDGER_NAMESPACE = '6c1e2f0a-4d3b-4c8e-9f27-5b0d8a1e7c42';

function bytesOf(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 9562 version 5 UUID (SHA-1 of namespace and name): the same name always gives the same id. */
export function uuidV5(name: string, namespace: string = CHILDLEDGER_NAMESPACE): string {
  const hash = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
