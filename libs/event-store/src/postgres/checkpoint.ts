import { InvalidCheckpointError } from '../event-store.errors';

/** A position in the PostgreSQL log: the writer's transaction id and the global position. */
export interface PgPosition {
  transactionId: string;
  globalPosition: string;
}

export const START: PgPosition = { transactionId: '0', globalPosition: '0' };

const FORMAT = /^(\d{1,20}):(\d{1,20})$/;

export function formatCheckpoint(p: PgPosition): string {
  return `${p.transactionId}:${p.globalPosition}`;
}

export function parseCheckpoint(checkpoint: string | null | undefined): PgPosition {
  if (checkpoint === null || checkpoint === undefined) return START;
  const m = FORMAT.exec(checkpoint);
  if (!m) throw new InvalidCheckpointError(checkpoint);
  return { transactionId: m[1]!, globalPosition: m[2]! };
}
