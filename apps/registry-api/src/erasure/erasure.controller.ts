import { BadRequestException, Body, ConflictException, Controller, HttpCode, Inject, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { EventStore } from '@childledger/event-store';
import { AdministrativeUnitLookup, RegistryError } from '@childledger/domain';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import type { Pool } from 'pg';
import { AuthenticatedUser, CurrentUser, EVENT_STORE, PG_POOL, Roles } from '@childledger/platform';
import { ADMINISTRATIVE_UNITS, forgetImportedChild } from '@childledger/registry';
import { DATA_KEYRING, DataKeyring } from '@childledger/trust';
import { eraseChildPersonalData } from './erase-child-personal-data';
import { EraseChildPersonalDataDto, ErasureParams, ErasureResponse } from './erasure.dto';

/** Erasure of a child's personal data by crypto-shredding (docs/trust.md). Admins only. */
@ApiTags('children')
@ApiBearerAuth()
@Controller('children')
export class ErasureController {
  private units?: AdministrativeUnitLookup;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_KEYRING) private readonly keyring: DataKeyring,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Post(':id/erasure')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      "Erase a child's personal data: appends ChildPersonalDataErased with the legal reason, then destroys the child's data key; the same for every record merged into it. A merged duplicate can be erased directly too. Every earlier event keeps its non-personal fields; personal fields (free-text reasons included) read as null from then on. Retrying is safe.",
  })
  @ApiOkResponse({ type: ErasureResponse, description: 'Erased (or already erased: a retry completes the key destruction again)' })
  async erase(
    @Param() params: ErasureParams,
    @Body() dto: EraseChildPersonalDataDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() req: Request & { id?: unknown },
  ): Promise<ErasureResponse> {
    try {
      return await eraseChildPersonalData(this.store, this.keyring, {
        childId: params.id,
        reason: dto.reason,
        metadata: { actor: { userId: user.userId, role: user.role }, correlationId: String(req.id ?? '') },
        context: { now: new Date(), units: this.unitLookup() },
        forget: (childId) => forgetImportedChild(this.pool, childId),
      });
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      const body = { code: err.code, field: err.field, message: err.message };
      if (err.code === 'CHILD_NOT_FOUND') throw new NotFoundException(body);
      if (err.code === 'RECORD_MERGED') throw new ConflictException({ ...body, details: err.details });
      throw new BadRequestException(body);
    }
  }

  private unitLookup(): AdministrativeUnitLookup {
    // The registry's unit lists when the app has them (it does); the decision itself does not consult them.
    if (!this.units) {
      try {
        this.units = this.moduleRef.get<AdministrativeUnitLookup>(ADMINISTRATIVE_UNITS, { strict: false });
      } catch {
        this.units = loadAdministrativeUnits();
      }
    }
    return this.units;
  }
}
