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

/**
 * The projections named (each entry one name or several, comma-separated), in PROJECTIONS' order;
 * every projection when none is named. An unknown name fails, naming it and the known ones.
 */
export function projectionsNamed(names?: string | readonly string[]): Projection[] {
  const asked = (typeof names === 'string' ? [names] : (names ?? []))
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (asked.length === 0) return [...PROJECTIONS];
  const unknown = asked.filter((n) => !PROJECTIONS.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown projection${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${PROJECTIONS.map((p) => p.name).join(', ')})`);
  }
  return PROJECTIONS.filter((p) => asked.includes(p.name));
}
