import { and, arrayContained, sql, type Column } from 'drizzle-orm';
import { ApiError } from './api-error.js';
import type { Principal } from './hub-env.js';

/**
 * The one rule for resources that name their programs (connectors, schedules, API keys): a
 * resource belongs to the programs in its list, and an empty list means every program. A key
 * limited to some programs sees a resource only when the resource stays inside them, so it never
 * reaches another program's records through a shared connector or schedule, and never sees (or
 * changes) one meant for every program.
 */
export function canSeePrograms(principal: Principal, programIds: readonly string[]): boolean {
  if (principal.programIds.length === 0) return true;
  return programIds.length > 0 && programIds.every((id) => principal.programIds.includes(id));
}

/** For creating or changing a resource: a key can only give it programs inside its own. */
export function assertCanAssignPrograms(principal: Principal, programIds: readonly string[], path = 'programIds'): void {
  if (canSeePrograms(principal, programIds)) return;
  const allowed = principal.programIds.join(', ');
  throw new ApiError(
    'forbidden',
    programIds.length === 0
      ? `This API key is limited to programs ${allowed}: set ${path} to some of them (an empty list means every program)`
      : `This API key is limited to programs ${allowed}`,
  );
}

/** The SQL form of canSeePrograms for a `text[]` column of program ids (no filter for unlimited keys). */
export function visibleProgramsFilter(principal: Principal, column: Column) {
  if (principal.programIds.length === 0) return undefined;
  return and(sql`cardinality(${column}) > 0`, arrayContained(column, principal.programIds));
}
