import { APPLICATION_ROLE, ensureApplicationRole } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner streams: the partners and their agreements, each partner's outbox (its CloudEvents in
 * order; personal fields in their own column so an erasure can blank them), and the routing
 * state each partner's projection keeps (where a child lives, which child a case is about).
 */
export class CreatePartnerStreams1733000000000 implements MigrationInterface {
  name = 'CreatePartnerStreams1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureApplicationRole(q);
    await q.query(`
      CREATE TABLE partners (
        partner_id         text PRIMARY KEY,
        agreement          jsonb NOT NULL,
        managed_by         text NOT NULL CHECK (managed_by IN ('file', 'api')),
        client_secret_hash text,
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE partner_outbox (
        seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        partner_id text NOT NULL,
        child_id   text NOT NULL,
        event_id   text NOT NULL,
        event      jsonb NOT NULL,
        personal   jsonb,
        CONSTRAINT partner_outbox_event_key UNIQUE (partner_id, event_id)
      )`);
    await q.query(`CREATE INDEX partner_outbox_partner_seq_idx ON partner_outbox (partner_id, seq)`);
    await q.query(`CREATE INDEX partner_outbox_partner_child_idx ON partner_outbox (partner_id, child_id) WHERE personal IS NOT NULL`);
    await q.query(`
      CREATE TABLE partner_routing_children (
        partner_id   text NOT NULL,
        child_id     text NOT NULL,
        commune_code text,
        erased       boolean NOT NULL,
        shared       boolean NOT NULL,
        PRIMARY KEY (partner_id, child_id)
      )`);
    await q.query(`
      CREATE TABLE partner_routing_cases (
        partner_id text NOT NULL,
        case_id    text NOT NULL,
        child_id   text NOT NULL,
        PRIMARY KEY (partner_id, case_id)
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON partners, partner_outbox, partner_routing_children, partner_routing_cases TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE partner_routing_cases, partner_routing_children, partner_outbox, partners`);
  }
}
