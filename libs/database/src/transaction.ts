import type { Pool, PoolClient } from 'pg';

export interface TransactionOptions {
  /** `BEGIN READ ONLY`: the transaction may not write (a consistent read of several tables). */
  readOnly?: boolean;
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

function begin(options: TransactionOptions): string {
  return ['BEGIN', options.isolation ? `ISOLATION LEVEL ${options.isolation.toUpperCase()}` : '', options.readOnly ? 'READ ONLY' : '']
    .filter(Boolean)
    .join(' ');
}

/**
 * Runs `fn` in a transaction on a connection the caller holds (one it keeps across transactions:
 * a rebuild's lanes, a session-level lock): COMMIT when it resolves, ROLLBACK when it throws.
 */
export async function inTransaction<T>(client: PoolClient, fn: (client: PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  await client.query(begin(options));
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` in a transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn, options);
  } finally {
    client.release();
  }
}
