import { ensureApplicationRole, APPLICATION_ROLE } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log. Global order is (transaction_id, global_position): a reader only reads rows
 * whose writer's transaction id is below the oldest transaction still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`), so a transaction that took a low position but
 * commits late is never skipped. See docs/adr/0002-global-order-by-transaction-id.md.
 */
export class CreateEventStore1732300000000 implements MigrationInterface {
  name = 'CreateEventStore1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureApplicationRole(q);
    await q.query(`
      CREATE TABLE event_streams (
        stream_id text PRIMARY KEY,
        revision  bigint NOT NULL
      )`);
    await q.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text NOT NULL,
        stream_revision bigint NOT NULL,
        event_id        uuid NOT NULL,
        event_type      text NOT NULL,
        schema_version  integer NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      )`);
    await q.query(`CREATE INDEX events_transaction_position_idx ON events (transaction_id, global_position)`);
    await q.query(`
      CREATE TABLE subscription_checkpoints (
        subscription_name text PRIMARY KEY,
        checkpoint        text NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    // One round trip per append, two statements on the happy path: bump the stream's revision
    // (which takes its row lock and checks the expected revision), insert the events. Errors:
    // CL001 wrong expected version (DETAIL = actual revision, -1 = no stream); CL002 an event id
    // already written with other content (DETAIL = the ids); CL003 the whole batch is already in
    // the log, a retry after a lost acknowledgement (DETAIL = revision,transaction,position of its
    // last event). Raising undoes everything the call did.
    await q.query(`
      CREATE FUNCTION append_events(p_stream_id text, p_expected text, p_events jsonb)
      RETURNS TABLE (next_revision bigint, last_transaction_id xid8, last_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count    integer := jsonb_array_length(p_events);
        v_current  bigint;
        v_inserted integer;
        v_last     bigint;
      BEGIN
        IF v_count = 0 THEN
          SELECT s.revision INTO v_current FROM event_streams s WHERE s.stream_id = p_stream_id;
          v_current := coalesce(v_current, -1);
        ELSE
          INSERT INTO event_streams AS s (stream_id, revision) VALUES (p_stream_id, v_count - 1)
          ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + v_count
          RETURNING s.revision - v_count INTO v_current;
        END IF;

        IF (p_expected = 'no_stream' AND v_current <> -1)
           OR (p_expected = 'stream_exists' AND v_current = -1)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current <> p_expected::bigint) THEN
          PERFORM check_retried_batch(p_stream_id, p_events);
          RAISE EXCEPTION 'wrong expected version' USING ERRCODE = 'CL001', DETAIL = v_current::text;
        END IF;
        IF v_count = 0 THEN
          RETURN QUERY SELECT v_current, NULL::xid8, NULL::bigint;
          RETURN;
        END IF;

        WITH inserted AS (
          INSERT INTO events (stream_id, stream_revision, event_id, event_type, schema_version, data, metadata)
          SELECT p_stream_id, v_current + n.ord, (n.e ->> 'id')::uuid, n.e ->> 'type',
                 (n.e ->> 'schemaVersion')::integer, n.e -> 'data', n.e -> 'metadata'
            FROM jsonb_array_elements(p_events) WITH ORDINALITY AS n(e, ord)
           ORDER BY n.ord
          ON CONFLICT (event_id) DO NOTHING
          RETURNING global_position
        )
        SELECT count(*), max(global_position) INTO v_inserted, v_last FROM inserted;
        IF v_inserted < v_count THEN
          PERFORM check_retried_batch(p_stream_id, p_events);
          RAISE EXCEPTION 'event ids already written with other content' USING ERRCODE = 'CL002';
        END IF;
        RETURN QUERY SELECT v_current + v_count, pg_current_xact_id(), v_last;
      END
      $fn$`);
    // Called only when an append cannot go ahead: if every event of the batch is already in the
    // stream with the same content, it is a retry (CL003); if some id exists otherwise, CL002.
    await q.query(`
      CREATE FUNCTION check_retried_batch(p_stream_id text, p_events jsonb) RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count    integer := jsonb_array_length(p_events);
        v_existing integer;
        v_matching integer;
        v_ids      text;
        v_detail   text;
      BEGIN
        SELECT count(*),
               count(*) FILTER (WHERE e.stream_id = p_stream_id AND e.event_type = n.type
                                  AND e.schema_version = n."schemaVersion" AND e.data = n.data),
               string_agg(n.id::text, ',')
          INTO v_existing, v_matching, v_ids
          FROM jsonb_to_recordset(p_events) AS n(id uuid, type text, "schemaVersion" integer, data jsonb)
          JOIN events e ON e.event_id = n.id;
        IF v_existing = 0 THEN
          RETURN;
        END IF;
        IF v_existing = v_count AND v_matching = v_count THEN
          SELECT e.stream_revision || ',' || e.transaction_id || ',' || e.global_position INTO v_detail
            FROM events e WHERE e.event_id = (p_events -> (v_count - 1) ->> 'id')::uuid;
          RAISE EXCEPTION 'batch already appended' USING ERRCODE = 'CL003', DETAIL = v_detail;
        END IF;
        RAISE EXCEPTION 'event ids already written with other content' USING ERRCODE = 'CL002', DETAIL = v_ids;
      END
      $fn$`);
    await q.query(`GRANT SELECT, INSERT ON events TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON event_streams TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON subscription_checkpoints TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT EXECUTE ON FUNCTION append_events(text, text, jsonb) TO ${APPLICATION_ROLE}`);
    await q.query(`GRANT EXECUTE ON FUNCTION check_retried_batch(text, jsonb) TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION append_events(text, text, jsonb)`);
    await q.query(`DROP FUNCTION check_retried_batch(text, jsonb)`);
    await q.query(`DROP TABLE subscription_checkpoints`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE event_streams`);
  }
}
