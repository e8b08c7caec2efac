import { randomUUID } from 'node:crypto';
import { childRegistered, trustTestKit, TrustTestKit } from '../testing/trust-test-kit';
import { checkLogIntegrity, configuredSealKeys, databaseSealKeys } from './integrity-status';
import { LogSealer } from './log-sealer';
import { SealKey, TrustedSealKeyError } from './seal-key';

const key = SealKey.fromBase64Seed(SealKey.generateSeed());

describe(checkLogIntegrity.name, () => {
  let kit: TrustTestKit;
  let sealer: LogSealer;

  beforeAll(async () => {
    kit = await trustTestKit();
    sealer = new LogSealer({ pool: kit.pool, key, everyEvents: 3, everyMs: 3_600_000 });
  });
  afterAll(async () => {
    await kit.teardown();
  });

  it('says no_checkpoint before the sealer signed anything', async () => {
    await kit.store.append(`child-${randomUUID()}`, [childRegistered(randomUUID(), { fullName: 'Trẻ số 1' })]);
    const status = await checkLogIntegrity(kit.pool, configuredSealKeys(key.publicKeyBase64)!);
    expect(status).toMatchObject({ status: 'no_checkpoint', lastCheckpoint: null, problems: [] });
  });

  it('passes up to the last signed checkpoint, naming its seq, position, time and key id (application role, keys as configured or as listed)', async () => {
    for (let i = 2; i <= 7; i++) {
      const child = randomUUID();
      await kit.store.append(`child-${child}`, [childRegistered(child, { fullName: `Trẻ số ${i}` })]);
    }
    await sealer.sealNow();
    const status = await checkLogIntegrity(kit.pool, configuredSealKeys(key.publicKeyBase64)!);
    expect(status).toMatchObject({ status: 'passed', events: 7, sealed: 7, unsealed: 0, problems: [] });
    expect(status.lastCheckpoint).toMatchObject({ seq: 7, keyId: key.keyId });
    expect(status.lastCheckpoint!.position).toMatch(/^\d+:\d+$/);
    expect(Number.isNaN(Date.parse(status.lastCheckpoint!.sealedAt))).toBe(false);
    expect(status.trustedKeys).toEqual([{ keyId: key.keyId, source: 'configured' }]);
    const listed = await checkLogIntegrity(kit.pool, await databaseSealKeys(kit.pool));
    expect(listed).toMatchObject({ status: 'passed', trustedKeys: [{ keyId: key.keyId, source: 'database' }] });
  });

  it('fails with signature when the checkpoints are signed by a key other than the one trusted', async () => {
    const other = SealKey.fromBase64Seed(SealKey.generateSeed());
    const status = await checkLogIntegrity(kit.pool, configuredSealKeys(other.publicKeyBase64)!);
    expect(status.status).toBe('failed');
    expect(status.problems[0]).toMatchObject({ kind: 'signature' });
  });

  it('refuses a malformed configured key list, naming the entry, never the value', () => {
    expect(configuredSealKeys(undefined)).toBeUndefined();
    expect(configuredSealKeys(' , ')).toBeUndefined();
    expect(() => configuredSealKeys('not-a-key')).toThrow(TrustedSealKeyError);
  });

  it('fails with content at the altered event when a stored event is edited afterwards (even by the owner)', async () => {
    const { rows } = await kit.owner.query<{ position: string; id: string }>(
      'SELECT global_position::text AS position, event_id::text AS id FROM events ORDER BY transaction_id, global_position OFFSET 3 LIMIT 1',
    );
    const target = rows[0]!;
    await kit.owner.query(`UPDATE events SET data = jsonb_set(data, '{sex}', '"M"') WHERE global_position = $1`, [target.position]);
    const status = await checkLogIntegrity(kit.pool, configuredSealKeys(key.publicKeyBase64)!);
    expect(status.status).toBe('failed');
    expect(status.problems).toEqual([expect.objectContaining({ kind: 'content', seq: 4, position: target.position, eventId: target.id })]);
  });
});
