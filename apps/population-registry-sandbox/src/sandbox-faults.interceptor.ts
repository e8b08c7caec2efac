import { CallHandler, ExecutionContext, HttpException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import type { SandboxFaults } from '@childledger/identity';
import type { SandboxRequest } from './sandbox-client.guard';
import { SANDBOX_FAULTS } from './sandbox.tokens';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Latency, rate limit (429 + Retry-After), 503s and hangs, drawn per request from seeded settings. */
@Injectable()
export class SandboxFaultsInterceptor implements NestInterceptor {
  constructor(@Inject(SANDBOX_FAULTS) private readonly faults: SandboxFaults) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<SandboxRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const fault = this.faults.next(req.sandboxClientId ?? 'anonymous');
    return from(
      (async () => {
        switch (fault.kind) {
          case 'rate_limited':
            res.setHeader('Retry-After', String(fault.retryAfterSeconds));
            throw new HttpException({ statusCode: 429, message: 'rate limit exceeded', retryAfterSeconds: fault.retryAfterSeconds }, 429);
          case 'error':
            throw new HttpException({ statusCode: 503, message: 'service temporarily unavailable' }, 503);
          case 'hang':
            await sleep(fault.ms);
            throw new HttpException({ statusCode: 504, message: 'upstream timeout' }, 504);
          case 'ok':
            if (fault.delayMs > 0) await sleep(fault.delayMs);
        }
      })(),
    ).pipe(switchMap(() => next.handle()));
  }
}
