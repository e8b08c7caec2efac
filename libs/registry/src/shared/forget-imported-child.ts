import type { Pool } from 'pg';

/**
 * Erasure's part in the registry's own tables: the keyed dedupe keys of the child's imported rows
 * (import_dedupe_keys). A key is an HMAC of the row's identity, so whoever holds the key and a
 * person's details could test whether that person was imported; after erasure nothing may say so,
 * and a later import of the same row is a new child. Returns how many keys were removed.
 */
export async function forgetImportedChild(pool: Pool, childId: string): Promise<number> {
  const res = await pool.query('DELETE FROM import_dedupe_keys WHERE child_id = $1', [childId]);
  return res.rowCount ?? 0;
}
