import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { PartnerSink, RelayMessage } from '@childledger/partner-streams';

/**
 * A real sink for tests: appends each message as a JSON line to a file and fsyncs before it
 * acknowledges, like a broker that acks once the write is durable. What it acknowledged survives
 * a SIGKILL of the process, so a test can check what was delivered.
 */
export class FileSink implements PartnerSink {
  constructor(
    private readonly file: string,
    private readonly options: { delayBeforeAckMs?: () => number } = {},
  ) {}

  async send(partnerId: string, messages: readonly RelayMessage[]): Promise<void> {
    const fd = openSync(this.file, 'a');
    try {
      for (const m of messages) writeSync(fd, `${JSON.stringify({ partnerId, position: m.position, event: m.event })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const delay = this.options.delayBeforeAckMs?.() ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }
}
