import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { createPool, createTestDatabase, freePort, TestDatabase } from '@childledger/database';
import type { EventMetadata, EventStore } from '@childledger/event-store';
import { AuthenticatedUser, EVENT_STORE, PlatformConfig, Role } from '@childledger/platform';
import { ALL_MIGRATIONS } from '@childledger/migrations';
import { createTestAuth, TestAuth } from '@childledger/platform/testing';
import { createRegistryApi, RegistryApiOptions } from '../src/registry-api.app';

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type Caller = 'communeOfficer' | 'provinceCaseWorker' | 'provinceInspector' | 'admin' | 'none';

/**
 * The registry API on a free port against a fresh database (all migrations), with real signed
 * tokens for the development users. Requests go over HTTP with fetch, as a client's would.
 */
export class RegistryApiHarness {
  base = '';
  private tokens = new Map<string, string>();

  private constructor(
    readonly db: TestDatabase,
    readonly app: INestApplication,
    readonly auth: TestAuth,
    readonly owner: Pool,
  ) {}

  static async start(options: Partial<Omit<RegistryApiOptions, 'auth'>> = {}): Promise<RegistryApiHarness> {
    const db = await createTestDatabase(ALL_MIGRATIONS);
    const auth = await createTestAuth();
    const config = Object.assign(new PlatformConfig(), { LOG_LEVEL: 'silent' as const });
    const app = await createRegistryApi(config, db.url, { auth: auth.auth, poolSize: 20, ...options });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    const harness = new RegistryApiHarness(db, app, auth, createPool(db.url, { role: null, max: 2 }));
    harness.base = `http://127.0.0.1:${port}/api/v1`;
    return harness;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.owner.end();
    await this.db.drop();
  }

  async token(caller: Exclude<Caller, 'none'> | (Partial<AuthenticatedUser> & { role: Role })): Promise<string> {
    const key = typeof caller === 'string' ? caller : JSON.stringify(caller);
    let token = this.tokens.get(key);
    if (!token) {
      token = typeof caller === 'string' ? await this.auth.issuer.tokenFor(this.auth.users[caller]) : await this.auth.tokenFor(caller);
      this.tokens.set(key, token);
    }
    return token;
  }

  /** A request as `caller`; a string body is sent as is (malformed JSON), anything else as JSON. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { as?: Caller | (Partial<AuthenticatedUser> & { role: Role }); body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const as = options.as ?? 'communeOfficer';
    const headers: Record<string, string> = { ...options.headers };
    if (as !== 'none') headers['authorization'] ??= `Bearer ${await this.token(as)}`;
    let body: RequestInit['body'];
    if (options.body instanceof Uint8Array || options.body instanceof Blob || options.body instanceof FormData) body = options.body as RequestInit['body'];
    else if (typeof options.body === 'string') {
      body = options.body;
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  post<T = Record<string, unknown>>(path: string, body: unknown, as?: Caller, headers?: Record<string, string>): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, { body, as, headers });
  }

  /**
   * A GET as `caller`, stating `purpose` in X-Purpose (reads of personal data need one: the read
   * policy). Tests of the refusal itself pass null, or use `request`, which adds nothing.
   */
  get<T = Record<string, unknown>>(path: string, as?: Caller, purpose: string | null = 'case_work'): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, { as, headers: purpose === null ? {} : { 'x-purpose': purpose } });
  }

  /** The read audit's rows for a resource, oldest first (as the owner: the table is the platform's). */
  async readAudit(
    resourceId: string,
  ): Promise<
    { user_id: string; role: string; purpose: string; resource_type: string; child_id: string | null; view: string; correlation_id: string | null }[]
  > {
    const { rows } = await this.owner.query(
      'SELECT user_id, role, purpose, resource_type, child_id, view, correlation_id FROM read_audit WHERE resource_id = $1 ORDER BY id',
      [resourceId],
    );
    return rows;
  }

  async eventCount(): Promise<number> {
    const { rows } = await this.owner.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]?.n);
  }

  /** A stream's events as the service reads them (personal data opened by the platform's encrypting store). */
  async events(streamId: string): Promise<{ event_type: string; data: Record<string, unknown>; metadata: EventMetadata; event_id: string }[]> {
    const events = await this.app.get<EventStore>(EVENT_STORE).readStream(streamId);
    return events.map((e) => ({ event_type: e.type, data: e.data, metadata: e.metadata, event_id: e.id }));
  }
}

/** Ba Đình ward (Hà Nội), in force since 2025-07-01: the commune officer's own. */
export const BA_DINH = '00004';

/** A registration the commune officer may send, with overrides. */
export function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    fullName: 'Nguyễn Thị Thu Hà',
    dateOfBirth: '2016-03-14',
    sex: 'F',
    personalId: '001316012345',
    residence: { communeCode: BA_DINH, effectiveFrom: '2025-09-01' },
    motherName: 'Trần Thị Lan',
    fatherName: 'Nguyễn Văn Minh',
    ...overrides,
  };
}
