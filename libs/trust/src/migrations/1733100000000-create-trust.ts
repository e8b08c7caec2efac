import { APPLICATION_ROLE, ensureApplicationRole } from '@childledger/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding keys and the sealed hash chain over the event log (docs/trust.md).
 *
 * - `child_data_keys`: one data key per child, wrapped by the key-encryption key. The
 *   application may read, create and delete (erase) keys, never change one; rewrapping after a
 *   KEK rotation runs as the owner.
 * - `erased_data_subjects`: children whose key was destroyed, so that no new key is made for them.
 * - `log_chain`, `log_seals`, `log_seal_keys`: the chain (one row per event, in the global order),
 *   the signed checkpoints and the public keys that signed them. Append-only: the application
 *   may INSERT and SELECT, and a trigger refuses UPDATE, DELETE and TRUNCATE even for the owner.
 * - `log_sealer_state`: the sealer's position, head and last seal, updated in the transaction
 *   that inserts the chain rows.
 */
export class CreateTrust1733100000000 implements MigrationInterface {
  name = 'CreateTrust1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureApplicationRole(q);
    await q.query(`
      CREATE TABLE child_data_keys (
        subject     text PRIMARY KEY,
        wrapped_key bytea NOT NULL,
        kek_id      text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX child_data_keys_kek_idx ON child_data_keys (kek_id)`);
    await q.query(`
      CREATE TABLE erased_data_subjects (
        subject   text PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE log_chain (
        seq             bigint PRIMARY KEY,
        global_position bigint NOT NULL UNIQUE,
        transaction_id  xid8 NOT NULL,
        event_id        uuid NOT NULL,
        event_digest    bytea NOT NULL,
        chain_hash      bytea NOT NULL
      )`);
    await q.query(`
      CREATE TABLE log_seals (
        seq        bigint PRIMARY KEY,
        chain_head bytea NOT NULL,
        position   text NOT NULL,
        sealed_at  text NOT NULL,
        key_id     text NOT NULL,
        signature  bytea NOT NULL
      )`);
    await q.query(`
      CREATE TABLE log_seal_keys (
        key_id        text PRIMARY KEY,
        public_key    bytea NOT NULL,
        first_used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE log_sealer_state (
        id                  smallint PRIMARY KEY CHECK (id = 1),
        seq                 bigint NOT NULL,
        last_transaction_id xid8 NOT NULL,
        last_position       bigint NOT NULL,
        head                bytea NOT NULL,
        sealed_seq          bigint NOT NULL,
        sealed_at           timestamptz
      )`);
    await q.query(`INSERT INTO log_sealer_state VALUES (1, 0, '0', 0, '\\x${'00'.repeat(32)}', 0, NULL)`);
    await q.query(`
      CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    for (const table of ['log_chain', 'log_seals', 'log_seal_keys']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_log_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change()`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO ${APPLICATION_ROLE}`);
    }
    await q.query(`GRANT SELECT, INSERT, DELETE ON child_data_keys TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON erased_data_subjects TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, UPDATE ON log_sealer_state TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['log_sealer_state', 'log_seal_keys', 'log_seals', 'log_chain', 'erased_data_subjects', 'child_data_keys'])
      await q.query(`DROP TABLE ${t}`);
    await q.query(`DROP FUNCTION refuse_log_change()`);
  }
}
