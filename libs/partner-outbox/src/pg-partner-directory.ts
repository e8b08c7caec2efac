import type { Pool } from 'pg';
import type { PartnerAgreement } from '@childledger/partner-streams';

export interface PartnerRecord {
  agreement: PartnerAgreement;
  managedBy: 'file' | 'api';
  clientSecretHash: string | null;
  updatedAt: Date;
}

/** The partners table: agreements (from the version-controlled file or the admin API) and hashed client secrets. */
export class PgPartnerDirectory {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<PartnerRecord[]> {
    const res = await this.pool.query('SELECT agreement, managed_by, client_secret_hash, updated_at FROM partners ORDER BY partner_id');
    return res.rows.map(toRecord);
  }

  async get(partnerId: string): Promise<PartnerRecord | null> {
    const res = await this.pool.query('SELECT agreement, managed_by, client_secret_hash, updated_at FROM partners WHERE partner_id = $1', [partnerId]);
    return res.rows[0] ? toRecord(res.rows[0]) : null;
  }

  /** Writes an agreement; the client secret hash is kept unless a new one is given. */
  async put(agreement: PartnerAgreement, managedBy: 'file' | 'api', clientSecretHash?: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO partners (partner_id, agreement, managed_by, client_secret_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (partner_id) DO UPDATE SET agreement = excluded.agreement, managed_by = excluded.managed_by,
         client_secret_hash = coalesce(excluded.client_secret_hash, partners.client_secret_hash), updated_at = now()`,
      [agreement.id, JSON.stringify(agreement), managedBy, clientSecretHash ?? null],
    );
  }

  async setClientSecretHash(partnerId: string, hash: string): Promise<boolean> {
    const res = await this.pool.query('UPDATE partners SET client_secret_hash = $2, updated_at = now() WHERE partner_id = $1', [partnerId, hash]);
    return (res.rowCount ?? 0) > 0;
  }
}

function toRecord(r: { agreement: PartnerAgreement; managed_by: 'file' | 'api'; client_secret_hash: string | null; updated_at: Date }): PartnerRecord {
  return { agreement: r.agreement, managedBy: r.managed_by, clientSecretHash: r.client_secret_hash, updatedAt: r.updated_at };
}
