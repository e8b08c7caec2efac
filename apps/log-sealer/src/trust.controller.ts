import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, canActOn, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import {
  buildInclusionProof,
  InclusionProof,
  InclusionProofDto,
  loadSeals,
  ProofNotAvailableError,
  recordSubject,
  SealedCheckpoint,
  SealedCheckpointDto,
  SealKey,
  SealKeysDto,
} from '@childledger/trust';
import { ADMIN_UNITS, SEAL_KEY } from './tokens';

/** One entry of GET /trust/seal-keys. */
interface SealKeyListing {
  keyId: string;
  publicKey: string;
  firstUsedAt: string;
  /** Keys other than the current one: the seq of the last checkpoint it signed (null: it signed none). */
  lastSignedSeq?: number | null;
  /** Keys other than the current one that signed a checkpoint: `--public-key` for verify-log / verify-proof, `<base64>@<lastSignedSeq>`. */
  publicKeyArgument?: string;
}

/** The one answer for an event the caller may not know of: unknown, no longer in the log, or about a child outside their jurisdiction. */
function unknownEvent(eventId: string): NotFoundException {
  return new NotFoundException(`eventId: no event ${eventId} is in the chain (unknown, or not chained yet)`);
}

@ApiTags('trust')
@ApiBearerAuth()
@Controller('trust')
export class TrustController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SEAL_KEY) private readonly key: SealKey,
    @Inject(ADMIN_UNITS) private readonly units: AdministrativeUnits,
  ) {}

  @Get('seal-keys')
  @Roles('data_officer', 'case_worker', 'inspector', 'admin')
  @ApiOperation({
    summary:
      'Public keys (Ed25519, raw 32 bytes, base64) that sign the log checkpoints: the current one and every one that signed a checkpoint. ' +
      'For each key other than the current one: lastSignedSeq, the seq of the last checkpoint it signed (null: none), and publicKeyArgument, ' +
      'the value for verify-log --public-key that trusts it only up to that seq (<base64>@<seq>). Compare with docs/trust.md or your own record ' +
      'before trusting them, and record the bound when the key is retired: the database can be rewritten later.',
  })
  @ApiOkResponse({ type: SealKeysDto })
  async sealKeys(): Promise<{ current: { keyId: string; publicKey: string }; keys: SealKeyListing[] }> {
    const { rows } = await this.pool.query<{ key_id: string; public_key: Buffer; first_used_at: Date; last_seq: string | null }>(
      `SELECT k.key_id, k.public_key, k.first_used_at, (SELECT max(s.seq) FROM log_seals s WHERE s.key_id = k.key_id)::text AS last_seq
         FROM log_seal_keys k ORDER BY k.first_used_at`,
    );
    return {
      current: { keyId: this.key.keyId, publicKey: this.key.publicKeyBase64 },
      keys: rows.map((r) => {
        const listing: SealKeyListing = { keyId: r.key_id, publicKey: r.public_key.toString('base64'), firstUsedAt: r.first_used_at.toISOString() };
        if (r.key_id === this.key.keyId) return listing;
        const lastSignedSeq = r.last_seq === null ? null : Number(r.last_seq);
        return lastSignedSeq === null
          ? { ...listing, lastSignedSeq }
          : { ...listing, lastSignedSeq, publicKeyArgument: `${listing.publicKey}@${lastSignedSeq}` };
      }),
    };
  }

  @Get('checkpoints/latest')
  @Roles('inspector', 'admin')
  @ApiOperation({
    summary: 'The latest signed checkpoint (seq, chain head, position, time, key id, signature): keep it, and pass it to verify-log --checkpoint later.',
  })
  @ApiOkResponse({ type: SealedCheckpointDto })
  async latest(): Promise<SealedCheckpoint> {
    const { rows } = await this.pool.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM log_seals');
    const seals = rows[0]?.seq ? (await loadSeals(this.pool)).filter((s) => s.seq === Number(rows[0]!.seq)) : [];
    if (!seals[0]) throw new NotFoundException('no checkpoint has been written yet');
    return seals[0];
  }

  @Get('proofs/:eventId')
  @Roles('inspector', 'admin')
  @ApiOperation({
    summary:
      'Proof that one stored event is covered by a signed checkpoint: the stored row (personal data encrypted), the chain hash before it, the digests after it up to the checkpoint, the checkpoint. Verify with verifyInclusionProof (docs/trust.md).',
  })
  @ApiOkResponse({ type: InclusionProofDto })
  async proof(@Param('eventId', new ParseUUIDPipe()) eventId: string, @CurrentUser() user: AuthenticatedUser): Promise<InclusionProof> {
    if (user.role !== 'admin') {
      // The read policy: an event about a child outside the caller's jurisdiction (or about no
      // child they may see) is answered exactly like an event that does not exist, so that the
      // refusal tells neither where the child lives nor that the event exists.
      const subject = await recordSubject(this.pool, eventId);
      const commune = subject?.communeCode;
      const province = commune ? this.units.provinceOfCommune(commune) : undefined;
      if (!commune || !province || !canActOn(user, { provinceCode: province, communeCode: commune })) throw unknownEvent(eventId);
    }
    try {
      return await buildInclusionProof(this.pool, eventId);
    } catch (err) {
      if (err instanceof ProofNotAvailableError) {
        if (err.reason === 'unknown-event') throw unknownEvent(eventId);
        throw new NotFoundException(`eventId: ${err.message}; retry after the next checkpoint`);
      }
      throw err;
    }
  }
}
