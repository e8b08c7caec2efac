import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// TypeORM entities over the read-model tables (created by migrations; `synchronize` stays off).
// The projector writes with set-based SQL for speed; the query API reads through these.

@Entity('rm_children')
export class ChildEntity {
  @PrimaryColumn({ name: 'child_id', type: 'text' }) childId: string;
  @Column({ type: 'text' }) status: string;
  @Column({ type: 'text', nullable: true }) sex: string | null;
  @Column({ type: 'jsonb', nullable: true }) personal: Record<string, unknown> | null;
  @Column({ name: 'personal_erased', type: 'boolean' }) personalErased: boolean;
  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true }) registeredAt: Date | null;
  @Column({ name: 'residence_commune_code', type: 'text', nullable: true }) residenceCommuneCode: string | null;
  @Column({ name: 'residence_effective_from', type: 'date', nullable: true }) residenceEffectiveFrom: string | null;
  @Column({ name: 'commune_code', type: 'text', nullable: true }) communeCode: string | null;
  @Column({ name: 'province_code', type: 'text', nullable: true }) provinceCode: string | null;
  @Column({ name: 'old_commune_code', type: 'text', nullable: true }) oldCommuneCode: string | null;
  @Column({ name: 'old_province_code', type: 'text', nullable: true }) oldProvinceCode: string | null;
  @Column({ name: 'candidate_communes', type: 'text', array: true }) candidateCommunes: string[];
  @Column({ name: 'residence_ambiguous', type: 'boolean' }) residenceAmbiguous: boolean;
  @Column({ type: 'smallint', array: true }) circumstances: number[];
  @Column({ type: 'smallint', array: true }) risks: number[];
  @Column({ name: 'national_id_state', type: 'text' }) nationalIdState: string;
  @Column({ name: 'national_id_source', type: 'text', nullable: true }) nationalIdSource: string | null;
  @Column({ name: 'national_id_linked_at', type: 'timestamptz', nullable: true }) nationalIdLinkedAt: Date | null;
  @Column({ name: 'merged_into', type: 'text', nullable: true }) mergedInto: string | null;
  @Column({ type: 'bigint' }) revision: string;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt: Date;
}

@Entity('rm_cases')
export class CaseEntity {
  @PrimaryColumn({ name: 'case_id', type: 'text' }) caseId: string;
  @Column({ name: 'child_id', type: 'text' }) childId: string;
  @Column({ type: 'text' }) status: string;
  @Column({ type: 'text', nullable: true }) channel: string | null;
  @Column({ type: 'text', nullable: true }) concern: string | null;
  @Column({ name: 'protection_level', type: 'text', nullable: true }) protectionLevel: string | null;
  @Column({ name: 'risk_level', type: 'text', nullable: true }) riskLevel: string | null;
  @Column({ name: 'reported_at', type: 'timestamptz', nullable: true }) reportedAt: Date | null;
  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true }) openedAt: Date | null;
  @Column({ name: 'assessment_due_at', type: 'timestamptz', nullable: true }) assessmentDueAt: Date | null;
  @Column({ name: 'assessed_at', type: 'timestamptz', nullable: true }) assessedAt: Date | null;
  @Column({ name: 'assessed_on_time', type: 'boolean', nullable: true }) assessedOnTime: boolean | null;
  @Column({ name: 'plan_due_at', type: 'timestamptz', nullable: true }) planDueAt: Date | null;
  @Column({ name: 'planned_at', type: 'timestamptz', nullable: true }) plannedAt: Date | null;
  @Column({ name: 'review_due_at', type: 'timestamptz', nullable: true }) reviewDueAt: Date | null;
  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true }) reviewedAt: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'text', nullable: true }) outcome: string | null;
  @Column({ name: 'reopened_count', type: 'integer' }) reopenedCount: number;
  @Column({ type: 'jsonb', nullable: true }) personal: Record<string, unknown> | null;
  @Column({ name: 'personal_erased', type: 'boolean' }) personalErased: boolean;
  @Column({ type: 'bigint' }) revision: string;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt: Date;
  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true }) nextDueAt: Date | null;
  @Column({ name: 'assignee_id', type: 'text', nullable: true }) assigneeId: string | null;
  @Column({ name: 'assigned_at', type: 'timestamptz', nullable: true }) assignedAt: Date | null;
}

@Entity('rm_reconciliation_queue')
export class ReconciliationEntryEntity {
  @PrimaryColumn({ name: 'child_id', type: 'text' }) childId: string;
  @PrimaryColumn({ type: 'text' }) reason: string;
  @Column({ type: 'text', nullable: true }) source: string | null;
  @Column({ type: 'text', nullable: true }) detail: string | null;
  @Column({ name: 'candidate_count', type: 'integer', nullable: true }) candidateCount: number | null;
  @Column({ name: 'requested_at', type: 'timestamptz' }) requestedAt: Date;
  @Column({ name: 'commune_code', type: 'text', nullable: true }) communeCode: string | null;
  @Column({ name: 'province_code', type: 'text', nullable: true }) provinceCode: string | null;
}

@Entity('read_audit')
export class ReadAuditEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ name: 'read_at', type: 'timestamptz', default: () => 'now()' }) readAt: Date;
  @Column({ name: 'user_id', type: 'text' }) userId: string;
  @Column({ type: 'text' }) role: string;
  @Column({ name: 'user_units', type: 'text', array: true }) userUnits: string[];
  @Column({ type: 'text' }) purpose: string;
  @Column({ name: 'resource_type', type: 'text' }) resourceType: string;
  @Column({ name: 'resource_id', type: 'text' }) resourceId: string;
  @Column({ name: 'child_id', type: 'text', nullable: true }) childId: string | null;
  @Column({ type: 'text' }) view: string;
  @Column({ name: 'correlation_id', type: 'text', nullable: true }) correlationId: string | null;
}

export const READ_MODEL_ENTITIES = [ChildEntity, CaseEntity, ReconciliationEntryEntity, ReadAuditEntity];
