import { ServiceUnavailableException } from '@nestjs/common';

/**
 * Replays of the log (a publication's recompute, indicators asOf) one query API process runs at
 * once: each reads and folds the whole child and case log (minutes at a million events on a loaded
 * machine, docs/indicators.md "Published figures") and holds its states in memory.
 */
export const MAX_CONCURRENT_REPLAYS = 1;
let running = 0;

/** Runs `work` in the process's replay slot, or refuses with a 503 naming the rule (REPLAY_BUSY). */
export async function inReplaySlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_REPLAYS) {
    throw new ServiceUnavailableException({
      message: `at most ${MAX_CONCURRENT_REPLAYS} recomputation from the log runs at once on this server; retry in a minute`,
      rule: 'REPLAY_BUSY',
      retryAfterSeconds: 60,
    });
  }
  running++;
  try {
    return await work();
  } finally {
    running--;
  }
}
