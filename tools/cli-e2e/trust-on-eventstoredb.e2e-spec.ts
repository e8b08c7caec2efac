import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './run-cli';

// No EventStoreDB server runs here, and none is needed: the commands must refuse before connecting
// to anything, naming the port capability the backend lacks (instead of reading PostgreSQL's empty
// `events` table and reporting OK).
const ON_EVENTSTOREDB = {
  EVENT_STORE_BACKEND: 'eventstoredb',
  EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
};

describe("the inspector's log tools on EventStoreDB", () => {
  it.each([
    ['verify-log', []],
    ['export-log', [path.join(os.tmpdir(), `cl-export-${process.pid}.jsonl`)]],
  ])(
    '%s refuses, naming the stored-log capability, exits 1 and writes nothing',
    async (command, args) => {
      const run = await runCli(ON_EVENTSTOREDB, command, ...args);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/stored-log/);
      expect(run.stdout).not.toMatch(/OK/);
      for (const file of args) expect(fs.existsSync(file)).toBe(false);
    },
    60_000,
  );
});
