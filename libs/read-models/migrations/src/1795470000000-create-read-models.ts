import { APPLICATION_ROLE, ensureApplicationRole } from '@childledger/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read models of monitoring and inspection. Projection tables (rebuilt from the log, renamed
 * in place on a rebuild) are prefixed `rm_`; the read audit and the indicator reference data are
 * not projections (nothing in the log produces them) and a rebuild never touches them.
 */
export class CreateReadModels1795470000000 implements MigrationInterface {
  name = 'CreateReadModels1795470000000';

  async up(q: QueryRunner): Promise<void> {
    await ensureApplicationRole(q);
    // ---- projection `children` ---------------------------------------------------------------
    await q.query(`
      CREATE TABLE rm_children (
        child_id              text PRIMARY KEY,
        status                text NOT NULL,
        sex                   text,
        personal              jsonb,
        personal_erased       boolean NOT NULL DEFAULT false,
        registered_at         timestamptz,
        residence_commune_code text,
        residence_effective_from date,
        commune_code          text,
        province_code         text,
        old_commune_code      text,
        old_province_code     text,
        candidate_communes    text[] NOT NULL DEFAULT '{}',
        residence_ambiguous   boolean NOT NULL DEFAULT false,
        circumstances         smallint[] NOT NULL DEFAULT '{}',
        risks                 smallint[] NOT NULL DEFAULT '{}',
        national_id_state     text NOT NULL DEFAULT 'none',
        national_id_source    text,
        national_id_linked_at timestamptz,
        merged_into           text,
        revision              bigint NOT NULL,
        last_event_at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rm_children_province_idx ON rm_children (province_code)`);
    await q.query(`CREATE INDEX rm_children_commune_idx ON rm_children (commune_code)`);
    // Residence, special circumstances, risks and national-ID links as intervals of effective
    // dates (inclusive), so indicators can ask "on that day" and "during that period".
    await q.query(`
      CREATE TABLE rm_child_spells (
        spell_id          uuid PRIMARY KEY,
        child_id          text NOT NULL,
        kind              text NOT NULL,
        grp               smallint NOT NULL DEFAULT 0,
        effective_from    date NOT NULL,
        effective_to      date,
        is_open           boolean NOT NULL,
        outcome           text,
        recorded_commune  text,
        commune_code      text,
        province_code     text,
        old_commune_code  text,
        old_province_code text
      )`);
    await q.query(`CREATE INDEX rm_child_spells_child_idx ON rm_child_spells (child_id, kind)`);
    await q.query(`CREATE INDEX rm_child_spells_province_idx ON rm_child_spells (province_code, child_id) WHERE kind = 'residence'`);
    await q.query(`CREATE INDEX rm_child_spells_old_province_idx ON rm_child_spells (old_province_code, child_id) WHERE kind = 'residence'`);
    await q.query(`
      CREATE TABLE rm_reconciliation_queue (
        child_id        text NOT NULL,
        reason          text NOT NULL,
        source          text,
        detail          text,
        candidate_count integer,
        requested_at    timestamptz NOT NULL,
        commune_code    text,
        province_code   text,
        PRIMARY KEY (child_id, reason)
      )`);
    await q.query(`CREATE INDEX rm_reconciliation_queue_province_idx ON rm_reconciliation_queue (province_code, requested_at)`);
    // ---- projection `cases` ------------------------------------------------------------------
    await q.query(`
      CREATE TABLE rm_cases (
        case_id           text PRIMARY KEY,
        child_id          text NOT NULL,
        status            text NOT NULL,
        channel           text,
        concern           text,
        protection_level  text,
        risk_level        text,
        reported_at       timestamptz,
        opened_at         timestamptz,
        assessment_due_at timestamptz,
        assessed_at       timestamptz,
        assessed_on_time  boolean,
        plan_due_at       timestamptz,
        planned_at        timestamptz,
        review_due_at     timestamptz,
        reviewed_at       timestamptz,
        closed_at         timestamptz,
        outcome           text,
        reopened_count    integer NOT NULL DEFAULT 0,
        personal          jsonb,
        personal_erased   boolean NOT NULL DEFAULT false,
        revision          bigint NOT NULL,
        last_event_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rm_cases_child_idx ON rm_cases (child_id)`);
    await q.query(`
      CREATE TABLE rm_case_facts (
        event_id     uuid PRIMARY KEY,
        case_id      text NOT NULL,
        child_id     text NOT NULL,
        kind         text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        occurred_on  date NOT NULL,
        on_time      boolean,
        service_type text
      )`);
    await q.query(`CREATE INDEX rm_case_facts_child_idx ON rm_case_facts (child_id, kind, occurred_on)`);
    // ---- projection `audit` ------------------------------------------------------------------
    await q.query(`
      CREATE TABLE rm_audit_index (
        position             bigint PRIMARY KEY,
        event_id             uuid NOT NULL,
        stream_id            text NOT NULL,
        revision             bigint NOT NULL,
        event_type           text NOT NULL,
        recorded_at          timestamptz NOT NULL,
        child_id             text,
        case_id              text,
        actor_user_id        text,
        actor_role           text,
        actor_unit           text,
        reason               text,
        correlation_id       text,
        causation_id         text,
        personal_data_erased boolean NOT NULL DEFAULT false,
        summary              jsonb NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX rm_audit_index_event_idx ON rm_audit_index (event_id)`);
    await q.query(`CREATE INDEX rm_audit_index_child_idx ON rm_audit_index (child_id, recorded_at, position)`);
    await q.query(`CREATE INDEX rm_audit_index_actor_idx ON rm_audit_index (actor_user_id, recorded_at, position)`);
    await q.query(`CREATE INDEX rm_audit_index_unit_idx ON rm_audit_index (actor_unit, recorded_at, position)`);
    await q.query(`CREATE INDEX rm_audit_index_type_idx ON rm_audit_index (event_type, recorded_at, position)`);
    await q.query(`CREATE INDEX rm_audit_index_time_idx ON rm_audit_index (recorded_at, position)`);
    await q.query(`
      CREATE TABLE rm_audit_streams (
        stream_id text PRIMARY KEY,
        child_id  text NOT NULL
      )`);
    // ---- not projections -----------------------------------------------------------------------
    // Who read whose personal data, when and why. Append-only: the application may not change it.
    await q.query(`
      CREATE TABLE read_audit (
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        read_at        timestamptz NOT NULL DEFAULT now(),
        user_id        text NOT NULL,
        role           text NOT NULL,
        user_units     text[] NOT NULL,
        purpose        text NOT NULL,
        resource_type  text NOT NULL,
        resource_id    text NOT NULL,
        child_id       text,
        view           text NOT NULL,
        correlation_id text
      )`);
    await q.query(`CREATE INDEX read_audit_child_idx ON read_audit (child_id, read_at)`);
    await q.query(`CREATE INDEX read_audit_user_idx ON read_audit (user_id, read_at)`);
    // Targets and child-population denominators: each CSV upload is a new version; the value in
    // force for a unit, period (and indicator) is the one of the latest version that has it.
    await q.query(`
      CREATE TABLE indicator_reference_versions (
        kind      text NOT NULL,
        version   integer NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        loaded_by text NOT NULL,
        row_count integer NOT NULL,
        PRIMARY KEY (kind, version)
      )`);
    await q.query(`
      CREATE TABLE indicator_reference_values (
        kind      text NOT NULL,
        version   integer NOT NULL,
        unit_code text NOT NULL,
        period    text NOT NULL,
        indicator text NOT NULL DEFAULT '',
        value     numeric NOT NULL,
        PRIMARY KEY (kind, unit_code, period, indicator, version),
        FOREIGN KEY (kind, version) REFERENCES indicator_reference_versions (kind, version)
      )`);
    for (const t of ['rm_children', 'rm_child_spells', 'rm_reconciliation_queue', 'rm_cases', 'rm_case_facts', 'rm_audit_index', 'rm_audit_streams']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${APPLICATION_ROLE}`);
    }
    await q.query(`GRANT SELECT, INSERT ON read_audit, indicator_reference_versions, indicator_reference_values TO ${APPLICATION_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'indicator_reference_values',
      'indicator_reference_versions',
      'read_audit',
      'rm_audit_streams',
      'rm_audit_index',
      'rm_case_facts',
      'rm_cases',
      'rm_reconciliation_queue',
      'rm_child_spells',
      'rm_children',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
