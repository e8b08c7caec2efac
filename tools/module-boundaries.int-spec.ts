import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/** The module-boundary rule must actually refuse what the architecture forbids. */
describe('module boundaries (ESLint)', () => {
  // The rule reads Nx's cached project graph and silently skips itself without one (a fresh clone).
  beforeAll(() => {
    const nx = spawnSync(path.join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: root, encoding: 'utf8' });
    expect(nx.status).toBe(0);
  });

  // ESLint loads its flat config with a dynamic import, which jest's sandbox cannot do: run the CLI.
  // The probe is written to disk for the run: the type-aware rules' project service only parses
  // files that exist in a tsconfig's scope (a stdin-only file is a parsing error, no rule runs).
  const lint = async (file: string, code: string): Promise<string[]> => {
    const probe = file.replace(/\.ts$/, `.probe-${process.pid}.ts`);
    writeFileSync(path.join(root, probe), code);
    try {
      const run = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), probe, '--format', 'json'], {
        cwd: root,
        encoding: 'utf8',
      });
      const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string; fatal?: boolean }[] }[];
      // A parsing error would hide every rule: fail loudly instead of passing on an empty list.
      expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
      return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
    } finally {
      rmSync(path.join(root, probe), { force: true });
    }
  };

  it('bans framework and infrastructure imports from type:domain libraries', async () => {
    const banned = ['@nestjs/common', 'typeorm', 'pg', 'kafkajs', '@eventstore/db-client'];
    const code = banned.map((pkg, i) => `import * as x${i} from '${pkg}';\nexport const y${i} = x${i};\n`).join('');
    const messages = await lint('libs/domain/src/probe.ts', code);
    for (const pkg of banned) expect(messages).toContain(`A project tagged with "type:domain" is not allowed to import "${pkg}"`);
  });

  it('bans a domain library from importing a data-access library', async () => {
    const messages = await lint(
      'libs/domain/src/probe.ts',
      `import { PostgresEventStore } from '@childledger/event-store';\nexport const y = PostgresEventStore;\n`,
    );
    expect(messages.length).toBeGreaterThan(0);
  });

  it('allows an app to use the platform and the domain', async () => {
    const messages = await lint(
      'apps/registry-api/src/probe.ts',
      `import { PlatformModule } from '@childledger/platform';\nimport { childDecider } from '@childledger/domain';\nexport const y = [PlatformModule, childDecider];\n`,
    );
    expect(messages).toEqual([]);
  });

  it("keeps the shared kernel free of every context's tables: libs/platform may not import a context's migrations nor the migration step's list", async () => {
    const messages = await lint(
      'libs/platform/src/probe.ts',
      `import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';\nimport { ALL_MIGRATIONS } from '@childledger/migrations';\nexport const y = [READ_MODEL_MIGRATIONS, ALL_MIGRATIONS];\n`,
    );
    expect(messages).toContain('A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"');
    expect(messages).toHaveLength(2);
  });

  it("lets a service list its own context's migrations, not another context's nor the whole list; its tests may build the whole schema", async () => {
    const own = await lint(
      'apps/query-api/src/probe.ts',
      `import { READ_MODEL_MIGRATIONS } from '@childledger/read-models/migrations';\nexport const y = READ_MODEL_MIGRATIONS;\n`,
    );
    expect(own).toEqual([]);
    const others = await lint(
      'apps/query-api/src/probe.ts',
      `import { PARTNER_STREAMS_MIGRATIONS } from '@childledger/partner-outbox/migrations';\nimport { ALL_MIGRATIONS } from '@childledger/migrations';\nexport const y = [PARTNER_STREAMS_MIGRATIONS, ALL_MIGRATIONS];\n`,
    );
    expect(others).toHaveLength(2);
    const test = await lint('apps/query-api/test/probe.ts', `import { ALL_MIGRATIONS } from '@childledger/migrations';\nexport const y = ALL_MIGRATIONS;\n`);
    expect(test).toEqual([]);
  });
});
