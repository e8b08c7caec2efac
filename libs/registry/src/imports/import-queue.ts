import { bulkhead, BulkheadPolicy } from 'cockatiel';

/** Imports run at once per process, and imports that may wait for a slot (IMPORT_CONCURRENCY, IMPORT_QUEUE_SIZE). */
export const DEFAULT_IMPORT_CONCURRENCY = 2;
export const DEFAULT_IMPORT_QUEUE_SIZE = 10;
/** What a refused import is told to wait before trying again (Retry-After). */
export const IMPORT_RETRY_AFTER_SECONDS = 30;

/** Every slot is taken and the queue is full: the import is refused before anything is registered (503 IMPORT_QUEUE_FULL). */
export class ImportQueueFullError extends Error {
  readonly rule = 'IMPORT_QUEUE_FULL';
  readonly retryAfterSeconds = IMPORT_RETRY_AFTER_SECONDS;

  constructor(
    readonly concurrency: number,
    readonly queueSize: number,
  ) {
    super(`the registry is already running ${concurrency} imports with ${queueSize} waiting; try again later`);
    this.name = 'ImportQueueFullError';
  }
}

/**
 * A bounded queue of imports (cockatiel's bulkhead): `concurrency` run at once, each taking up to
 * the importer's `maxInFlight` connections, and `queueSize` wait for a slot; one more is refused at
 * once. Per process: replicas each have their own.
 */
export class ImportQueue {
  private readonly bulkhead: BulkheadPolicy;

  constructor(
    readonly concurrency = DEFAULT_IMPORT_CONCURRENCY,
    readonly queueSize = DEFAULT_IMPORT_QUEUE_SIZE,
  ) {
    this.bulkhead = bulkhead(concurrency, queueSize);
  }

  /** Imports running now. */
  get running(): number {
    return this.concurrency - this.bulkhead.executionSlots;
  }

  /** Imports waiting for a slot. */
  get waiting(): number {
    return this.queueSize - this.bulkhead.queueSlots;
  }

  /**
   * Takes a slot or a place in the queue for `task`, or throws ImportQueueFullError at once
   * (synchronously: the caller registers nothing when refused). The returned promise settles with the task.
   */
  admit<T>(task: () => Promise<T>): Promise<T> {
    if (this.bulkhead.executionSlots <= 0 && this.bulkhead.queueSlots <= 0) throw new ImportQueueFullError(this.concurrency, this.queueSize);
    // The bulkhead counts the task before its first await: no other caller can take the same place.
    return this.bulkhead.execute(() => task());
  }
}
