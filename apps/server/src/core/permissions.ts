import type { Permission } from '@linli/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from './context';
import { AppError } from './errors';

/**
 * Data scope and permissions, in one place.
 *
 * An account holds role grants, each bound to an org unit; a grant covers that unit's subtree.
 * A resource is "in scope" when any grant covers its org unit; outside scope it does not exist
 * for the caller (404). In scope but without the permission, the answer is 403.
 */

/** What authorize() needs of a resource: the materialised path of the org unit it belongs to. */
export interface ScopedResource {
  orgPath: string | null;
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
 * The one authorisation check services call first. Throws 401 for anonymous callers,
 * 404 for a resource outside the caller's scope, 403 for an in-scope forbidden action.
 * `what` names the resource in the 404 message.
 */
export function authorize(actor: Actor, permission: Permission, resource: ScopedResource, what = 'resource') {
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  if (can(actor, permission, resource.orgPath)) return;
  if (!inScope(actor, resource.orgPath)) throw AppError.notFound(what);
  throw AppError.forbidden(`You lack the permission ${permission} here.`);
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
