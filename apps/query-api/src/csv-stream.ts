import { ServiceUnavailableException } from '@nestjs/common';
import { once } from 'node:events';
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from './csv';

/** Exports one query API process streams at once: each holds a database connection for its length. */
export const MAX_CONCURRENT_EXPORTS = 2;
let running = 0;

/**
 * A place for one export, or a 503 naming the limit (rule EXPORTS_BUSY, Retry-After): an export
 * holds a pooled connection (its cursor) while the client downloads, and the pool also serves
 * every other request.
 */
export function exportSlot(res: Response): () => void {
  if (running >= MAX_CONCURRENT_EXPORTS) {
    res.setHeader('retry-after', '5');
    throw new ServiceUnavailableException({
      message: `at most ${MAX_CONCURRENT_EXPORTS} exports run at once on this server; retry in a few seconds`,
      rule: 'EXPORTS_BUSY',
      retryAfterSeconds: 5,
    });
  }
  running++;
  let released = false;
  return () => {
    if (!released) running--;
    released = true;
  };
}

/**
 * Streams a CSV download: the header, then each batch of rows as it comes from the database (every
 * cell neutralised against spreadsheet formulas, csv.ts), waiting for the client to drain. No
 * limit on rows, nothing cut: a failure after the first byte aborts the response (the client sees
 * a failed download, never a short file that looks complete). A client that goes away stops the
 * query. Returns the number of data rows sent.
 */
export async function streamCsv<T>(
  res: Response,
  file: string,
  columns: readonly string[],
  batches: AsyncGenerator<T[]>,
  cells: (row: T) => readonly unknown[],
): Promise<number> {
  res.status(200);
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${file}"`);
  res.setHeader('cache-control', 'no-store');
  let sent = 0;
  const write = async (text: string) => {
    if (res.write(text) || res.destroyed) return;
    // Wait for the client to read (or to go away), leaving no listener behind.
    const gone = new AbortController();
    await Promise.race([once(res, 'drain', { signal: gone.signal }), once(res, 'close', { signal: gone.signal })]).catch(() => undefined);
    gone.abort();
  };
  try {
    await write(stringify([[...columns]]));
    for await (const rows of batches) {
      if (res.destroyed) break;
      await write(stringify(rows.map((r) => cells(r).map(neutraliseCell))));
      sent += rows.length;
    }
    if (res.destroyed) {
      await batches.return(undefined);
      return sent;
    }
    res.end();
    return sent;
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error('export failed'));
    return sent;
  }
}
