import type { Permission } from '@linli/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from './context';
import { AppError } from './errors';

/**
 * Data scope and permissions, in one place.
 *
 * An account holds role grants, each bound to an org unit; a grant covers that unit's subtree.
 * A resource is "in scope" when any grant covers its org unit. A resource the caller cannot see —
 * not in scope, not public, not theirs — does not exist for them: the same 404 as a missing id.
 * One they can see but may not act on answers 403.
 */

/** What authorize() needs of a resource. */
export interface ScopedResource {
  /** The materialised path of the org unit it belongs to. */
  orgPath: string | null;
  /**
   * Anyone may see it (a published notice, a case on the community board, an office-hour
   * session): a caller who may not act on it is told so (403), wherever it is.
   */
  public?: boolean;
  /** The account it belongs to (a resident's report, booking or application): its owner sees it. */
  ownerId?: string | null;
}

const covers = (grantPath: string, resourcePath: string) => resourcePath.startsWith(grantPath);

/** True when the actor holds `permission` by a grant covering `orgPath`. */
export function can(actor: Actor, permission: Permission, orgPath: string | null): boolean {
  if (actor.kind === 'system') return true;
  if (orgPath === null) return false;
  return actor.grants.some((g) => g.permissions.has(permission) && covers(g.orgPath, orgPath));
}

/** True when any of the actor's grants covers `orgPath`. */
export function inScope(actor: Actor, orgPath: string | null): boolean {
  if (actor.kind === 'system') return true;
  if (orgPath === null) return false;
  return actor.grants.some((g) => covers(g.orgPath, orgPath));
}

/** True when the actor holds `permission` anywhere (menus, list routes). */
export function holds(actor: Actor, permission: Permission): boolean {
  return actor.kind === 'system' || actor.grants.some((g) => g.permissions.has(permission));
}

/**
 * True when the actor may know the resource exists: it is public, it is theirs, or one of their
 * grants covers it (holding `readPermission` there, when given).
 */
export function sees(actor: Actor, resource: ScopedResource, readPermission?: Permission): boolean {
  if (actor.kind === 'system' || resource.public) return true;
  if (resource.ownerId && resource.ownerId === actor.accountId) return true;
  return readPermission ? can(actor, readPermission, resource.orgPath) : inScope(actor, resource.orgPath);
}

/**
 * The one authorisation check services call first. Throws 401 for anonymous callers, the same
 * 404 as a missing id for a resource the caller cannot see (`sees`), 403 for one they can see
 * but may not act on. `what` names the resource in the 404 message.
 */
export function authorize(actor: Actor, permission: Permission, resource: ScopedResource, what = 'resource') {
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  if (can(actor, permission, resource.orgPath)) return;
  if (!sees(actor, resource)) throw AppError.notFound(what);
  throw AppError.forbidden(`You lack the permission ${permission} here.`);
}

/**
 * The same answers for a decision a module's permission table made (a reporter rating their
 * case, a squad accepting its work): nothing when `allowed`; 403 when the caller `seen` the
 * resource; otherwise the same 404 as a missing id. Modules decide who may; this decides what
 * the caller is told.
 */
export function authorizeBy(
  actor: Actor,
  decision: { allowed: boolean; seen: boolean },
  what = 'resource',
  forbidden = 'You may not do this.',
) {
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  if (decision.allowed) return;
  if (!decision.seen) throw AppError.notFound(what);
  throw AppError.forbidden(forbidden);
}

/** For routes with no single resource (lists, creation forms): the permission anywhere, else 403. */
export function requirePermission(actor: Actor, permission: Permission) {
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  if (!holds(actor, permission)) throw AppError.forbidden(`You lack the permission ${permission}.`);
}

/** The subtree roots over which the actor holds `permission`, with nested roots folded away. */
export function scopeRoots(actor: Actor, permission: Permission): string[] {
  const paths = actor.grants
    .filter((g) => g.permissions.has(permission))
    .map((g) => g.orgPath)
    .sort((a, b) => a.length - b.length);
  const roots: string[] = [];
  for (const p of paths) if (!roots.some((r) => covers(r, p))) roots.push(p);
  return roots;
}

/**
 * The list form of `sees`: rows that are public (`isPublic`), the caller's own (`ownerColumn`),
 * or inside a subtree where the caller holds `permission` (`scopeFilter`).
 */
export function visibleFilter(
  actor: Actor,
  permission: Permission,
  columns: { orgUnit: AnyPgColumn | SQL; owner?: AnyPgColumn | SQL; isPublic?: SQL },
): SQL {
  const parts: SQL[] = [scopeFilter(actor, permission, columns.orgUnit)];
  if (columns.isPublic) parts.push(columns.isPublic);
  if (columns.owner && actor.accountId) parts.push(sql`${columns.owner} = ${actor.accountId}`);
  return sql`(${sql.join(parts, sql` OR `)})`;
}

/**
 * The one data-scope filter: `orgUnitColumn` must name a unit inside a subtree where the actor
 * holds `permission`. Every scoped list query uses it; none writes its own.
 */
export function scopeFilter(actor: Actor, permission: Permission, orgUnitColumn: AnyPgColumn | SQL): SQL {
  if (actor.kind === 'system') return sql`true`;
  const roots = scopeRoots(actor, permission);
  if (roots.length === 0) return sql`false`;
  const patterns = roots.map((r) => `${r}%`);
  return sql`${orgUnitColumn} IN (SELECT ou.id FROM org_units ou WHERE ou.path LIKE ANY(ARRAY[${sql.join(
    patterns.map((p) => sql`${p}`),
    sql`, `,
  )}]::text[]))`;
}
