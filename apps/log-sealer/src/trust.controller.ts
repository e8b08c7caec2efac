import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { AdministrativeUnits } from '@childledger/admin-units';
import { AuthenticatedUser, canActOn, CurrentUser, PG_POOL, Roles } from '@childledger/platform';
import { buildInclusionProof, InclusionProof, loadSeals, ProofNotAvailableError, recordSubject, SealedCheckpoint, SealKey } from '@childledger/trust';
import { ADMIN_UNITS, SEAL_KEY } from './tokens';

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
  @ApiOperation({ summary: 'Public keys (Ed25519, raw 32 bytes, base64) that sign the log checkpoints: the current one and every one that signed a checkpoint. Compare with docs/trust.md or your own record before trusting them.' })
  async sealKeys(): Promise<{ current: { keyId: string; publicKey: string }; keys: { keyId: string; publicKey: string; firstUsedAt: string }[] }> {
    const { rows } = await this.pool.query<{ key_id: string; public_key: Buffer; first_used_at: Date }>('SELECT key_id, public_key, first_used_at FROM log_seal_keys ORDER BY first_used_at');
    return {
      current: { keyId: this.key.keyId, publicKey: this.key.publicKeyBase64 },
      keys: rows.map((r) => ({ keyId: r.key_id, publicKey: r.public_key.toString('base64'), firstUsedAt: r.first_used_at.toISOString() })),
    };
  }

  @Get('checkpoints/latest')
  @Roles('inspector', 'admin')
  @ApiOperation({ summary: 'The latest signed checkpoint (seq, chain head, position, time, key id, signature): keep it, and pass it to verify-log --checkpoint later.' })
  async latest(): Promise<SealedCheckpoint> {
    const { rows } = await this.pool.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM log_seals');
    const seals = rows[0]?.seq ? (await loadSeals(this.pool)).filter((s) => s.seq === Number(rows[0]!.seq)) : [];
    if (!seals[0]) throw new NotFoundException('no checkpoint has been written yet');
    return seals[0];
  }

  @Get('proofs/:eventId')
  @Roles('inspector', 'admin')
  @ApiOperation({
    summary: 'Proof that one stored event is covered by a signed checkpoint: the stored row (personal data encrypted), the chain hash before it, the digests after it up to the checkpoint, the checkpoint. Verify with verifyInclusionProof (docs/trust.md).',
  })
  async proof(@Param('eventId', new ParseUUIDPipe()) eventId: string, @CurrentUser() user: AuthenticatedUser): Promise<InclusionProof> {
    if (user.role !== 'admin') {
      const subject = await recordSubject(this.pool, eventId);
      const commune = subject?.communeCode;
      const province = commune ? this.units.provinceOfCommune(commune) : undefined;
      if (!commune || !province || !canActOn(user, { provinceCode: province, communeCode: commune })) {
        throw new ForbiddenException('eventId: the record is outside your jurisdiction');
      }
    }
    try {
      return await buildInclusionProof(this.pool, eventId);
    } catch (err) {
      if (err instanceof ProofNotAvailableError) {
        if (err.reason === 'unknown-event') throw new NotFoundException(`eventId: ${err.message}`);
        throw new NotFoundException(`eventId: ${err.message}; retry after the next checkpoint`);
      }
      throw err;
    }
  }
}
