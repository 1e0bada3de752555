import type { Permission, Workbench, WorkbenchCard } from '@linli/contracts';
import type { Clock } from './clock';
import type { Actor, RequestContext } from './context';
import type { Executor } from './db/client';
import { AppError } from './errors';
import { holds } from './permissions';

/** What a workbench source gets: the database, the time, and the signed-in member of staff. */
export interface WorkbenchContext {
  readonly db: Executor;
  readonly now: Date;
  readonly actor: Actor;
}

/** A card as a module computes it (the module is filled in from the manifest). */
export type WorkbenchCardInput = Omit<WorkbenchCard, 'module'>;

/**
 * A to-do card: how many are waiting, the nearest deadline among them (a timestamp as the driver
 * returns it, or none), and the filtered list it opens.
 */
export function todoCard(
  id: string,
  count: unknown,
  tone: WorkbenchCardInput['tone'],
  link: WorkbenchCardInput['link'],
  due?: unknown,
): WorkbenchCardInput {
  return {
    id,
    kind: 'todo',
    value: Number(count ?? 0),
    format: 'count',
    tone,
    ...(due === undefined ? {} : { dueAt: due ? new Date(due as string).toISOString() : null }),
    link,
  };
}

/**
 * One group of a module's workbench cards (the manifest's `workbench`). `cards` runs only for a
 * person who holds `permission` somewhere, and scopes every row it counts with `scopeFilter()` (or
 * the module's own permission table through the same core helpers), as any list does. It sends at
 * most one statement: a workbench is read on every visit to the console's home page.
 */
export interface WorkbenchSource {
  /** `<module>.<group>`, unique across the manifests. */
  readonly key: string;
  readonly permission: Permission;
  readonly cards: (ctx: WorkbenchContext) => Promise<readonly WorkbenchCardInput[]>;
}

/** The workbench of every manifest, computed per caller. */
export interface WorkbenchBoard {
  forCaller(ctx: RequestContext): Promise<Workbench>;
  /** The sources a caller's permissions select (tests count their statements). */
  sourcesFor(actor: Actor): readonly { module: string; source: WorkbenchSource }[];
}

/**
 * Collects the manifests' workbench sources. Each caller gets the cards of the sources whose
 * permission they hold, in manifest order (the sources run concurrently); nobody gets a card of a
 * source they lack the permission for, and no statement is sent for it.
 */
export function workbenchBoard(
  modules: readonly { name: string; workbench?: readonly WorkbenchSource[] }[],
  deps: { db: () => Executor; clock: Clock },
): WorkbenchBoard {
  const all = modules.flatMap((m) => (m.workbench ?? []).map((source) => ({ module: m.name, source })));
  const sourcesFor = (actor: Actor) => all.filter(({ source }) => holds(actor, source.permission));
  return {
    sourcesFor,
    async forCaller(ctx) {
      const { actor } = ctx;
      if (actor.kind === 'anonymous') throw AppError.unauthenticated();
      if (actor.kind !== 'staff') throw AppError.forbidden('The workbench is for staff.');
      const now = deps.clock.now();
      const wb: WorkbenchContext = { db: deps.db(), now, actor };
      const groups = await Promise.all(
        sourcesFor(actor).map(async ({ module, source }) =>
          (await source.cards(wb)).map((c) => ({ ...c, module })),
        ),
      );
      return { cards: groups.flat(), at: now.toISOString() };
    },
  };
}
