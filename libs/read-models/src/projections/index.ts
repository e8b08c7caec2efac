import type { Projection } from '../projection';
import { auditProjection } from './audit.projection';
import { casesProjection } from './cases.projection';
import { childSearchProjection } from './child-search.projection';
import { childrenProjection } from './children.projection';
import { indicatorsProjection } from './indicators.projection';

export * from './audit.projection';
export * from './cases.projection';
export * from './children.projection';
export * from './child-search.projection';
export * from './child-timeline';
export * from './indicators.projection';

/** Every projection the projector runs, by name (`npm run cli -- projections rebuild NAME`). */
export const PROJECTIONS: readonly Projection[] = [childrenProjection, casesProjection, auditProjection, indicatorsProjection, childSearchProjection];

export function projectionsNamed(name?: string): Projection[] {
  if (!name) return [...PROJECTIONS];
  const found = PROJECTIONS.filter((p) => p.name === name);
  if (found.length === 0) throw new Error(`unknown projection ${name} (known: ${PROJECTIONS.map((p) => p.name).join(', ')})`);
  return found;
}
