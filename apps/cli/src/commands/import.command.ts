import { access } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { writeFile } from 'node:fs/promises';
import { Client } from 'pg';
import { DatabaseServer, withDatabase } from '@childledger/database';
import { AuthenticatedUser, AuthOptions, loadConfig, PlatformConfig, PlatformModule, Role, ROLES } from '@childledger/platform';
import { preparePlatformDatabase } from '@childledger/migrations';
// The CLI is tagged scope:shared but its commands belong to bounded contexts (registry here, matching for
// `match`); no depConstraint lets a tool app use several scopes yet (reported to the lead).
import { ChildRecordImporter, ImportCounts, ImportReport, RegistryModule } from '@childledger/registry';
import { loadOrCreateDevelopmentKeys } from '@childledger/trust';

interface ImportOptions {
  user?: string;
  role: string;
  province?: string;
  commune?: string;
  report?: string;
}

// The CLI never verifies tokens: it acts as the operator who runs it.
const NO_TOKENS: AuthOptions = {
  issuer: 'urn:childledger:cli',
  audience: 'childledger-cli',
  keys: async () => {
    throw new Error('the CLI accepts no tokens');
  },
};

@Module({})
class CliImportModule {
  static forRoot(config: PlatformConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliImportModule,
      imports: [PlatformModule.forRoot({ service: 'cli', config, databaseUrl, auth: NO_TOKENS, poolSize: 4 }), RegistryModule.forRoot()],
    };
  }
}

/** The database of a running `npm start` (embedded server on its port), if one answers. */
async function runningEmbeddedDatabase(config: PlatformConfig): Promise<string | undefined> {
  const url = withDatabase(`postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}/postgres`, config.DATABASE_NAME);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1 FROM imports LIMIT 1');
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function list(value: string | undefined, pattern: RegExp, flag: string): string[] {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !pattern.test(s));
  if (bad.length > 0) throw new Error(`${flag}: not unit codes: ${bad.join(', ')}`);
  return items;
}

function summary(report: ImportReport): string {
  const lines = [
    '',
    `import ${report.id}: ${report.status}${report.error ? ` (${report.error})` : ''}`,
    `rows read ${report.rows.read}: imported ${report.rows.imported}, already imported ${report.rows.alreadyImported}, rejected ${report.rows.rejected}; warnings ${report.warnings}`,
  ];
  const rejected = report.problems.filter((p) => p.kind === 'rejected');
  for (const p of rejected.slice(0, 20)) lines.push(`  row ${p.row}${p.recordRef ? ` (${p.recordRef})` : ''}, ${p.header ?? p.column ?? 'row'}: ${p.reason}`);
  if (rejected.length > 20) lines.push(`  … ${rejected.length - 20} more (--report FILE writes them all)`);
  return `${lines.join('\n')}\n`;
}

/**
 * `import FILE`: the same import as `POST /api/v1/imports`, from a terminal. It talks to the
 * database directly through the registry's own importer (same parsing, same domain rules, same
 * encryption of personal data): the one of a running `npm start` if there is one, DATABASE_URL if
 * set, else the embedded server is started for the import. It acts as the operator (an admin by
 * default; `--role` with `--province`/`--commune` narrows it to a jurisdiction).
 */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('register the children of a CSV or XLSX child-records file (formats.md); re-importing writes nothing new')
    .argument('<file>', 'CSV or XLSX file')
    .option('--user <id>', 'user id recorded as the actor (default cli:<login>)')
    .option('--role <role>', `role to act in (${ROLES.join(', ')})`, 'admin')
    .option('--province <codes>', 'province codes of the jurisdiction, comma-separated')
    .option('--commune <codes>', 'commune codes of the jurisdiction, comma-separated')
    .option('--report <file>', 'write every rejected row and warning to this CSV')
    .action(async (file: string, opts: ImportOptions) => {
      const path = resolve(file);
      await access(path).catch(() => {
        throw new Error(`cannot read ${file}`);
      });
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const user: AuthenticatedUser = {
        userId: opts.user ?? `cli:${userInfo().username}`,
        name: opts.user ?? userInfo().username,
        role: opts.role as Role,
        provinces: list(opts.province, /^\d{2}$/, '--province'),
        communes: list(opts.commune, /^\d{5}$/, '--commune'),
      };

      const config = loadConfig(PlatformConfig);
      config.LOG_LEVEL = process.env['LOG_LEVEL'] ? config.LOG_LEVEL : 'warn';
      if (!config.CHILDLEDGER_KEK) config.CHILDLEDGER_KEK = loadOrCreateDevelopmentKeys(dirname(resolve(config.CHILDLEDGER_DATA_DIR))).kek;
      let server: DatabaseServer | undefined;
      let url = config.DATABASE_URL ? undefined : await runningEmbeddedDatabase(config);
      if (!url) {
        const db = await preparePlatformDatabase(config);
        server = db.server;
        url = db.url;
      }
      const app = await NestFactory.createApplicationContext(CliImportModule.forRoot(config, url), { logger: false });
      try {
        const importer = app.get(ChildRecordImporter);
        const bar = process.stderr.isTTY
          ? new SingleBar(
              { format: 'importing [{bar}] {percentage}% | rows {rows} | imported {imported} | rejected {rejected}', stream: process.stderr, hideCursor: true },
              Presets.shades_classic,
            )
          : undefined;
        let started = false;
        const onProgress = (p: ImportCounts & { fileBytes: number }) => {
          if (!bar) return;
          const payload = { rows: p.rowsRead, imported: p.imported + p.alreadyImported, rejected: p.rejected };
          if (!started) {
            bar.start(p.fileBytes, p.bytesRead, payload);
            started = true;
          } else bar.update(p.bytesRead, payload);
        };
        const report = await importer.run({ path, fileName: basename(path) }, { user, source: 'cli' }, onProgress);
        if (bar && started) {
          bar.update(report.fileBytes);
          bar.stop();
        }
        process.stderr.write(summary(report));
        if (opts.report) {
          const rows = report.problems.map((p) => ({
            kind: p.kind,
            row: p.row,
            record_ref: p.recordRef ?? '',
            column: p.column ?? '',
            header: p.header ?? '',
            code: p.code,
            reason: p.reason,
          }));
          await writeFile(opts.report, stringify(rows, { header: true, columns: ['kind', 'row', 'record_ref', 'column', 'header', 'code', 'reason'] }));
          process.stderr.write(`problems written to ${opts.report}\n`);
        }
        process.stdout.write(`${JSON.stringify({ importId: report.id, status: report.status, rows: report.rows, warnings: report.warnings })}\n`);
        if (report.status !== 'completed') process.exitCode = 1;
      } finally {
        await app.close();
        await server?.stop();
      }
    });
}
