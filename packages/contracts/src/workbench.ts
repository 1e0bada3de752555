import { type Static, Type } from 'typebox';
import { IsoTime, Nullable } from './common';

/**
 * The console's 工作台 (`GET /api/v1/workbench`): cards the modules compute for the signed-in
 * person (their manifests' `workbench`). A `todo` card counts what the person has to do now and
 * links to the list filtered to exactly those rows; a `figure` card shows one of their units'
 * figures this month against last month. The console names a card by its `id`
 * (`workbench.cards.<id>` in its locales).
 */
export const WORKBENCH_CARD_KINDS = ['todo', 'figure'] as const;
export type WorkbenchCardKind = (typeof WORKBENCH_CARD_KINDS)[number];

export const WORKBENCH_TONES = ['primary', 'success', 'warning', 'danger', 'info'] as const;
export type WorkbenchTone = (typeof WORKBENCH_TONES)[number];

/** A console route and its query string: the list, filtered to what the card counts. */
export const WorkbenchLink = Type.Object({
  /** The console route's name (`case-tasks`, `applications`, …). */
  route: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
  query: Type.Record(Type.String(), Type.String()),
});
export type WorkbenchLink = Static<typeof WorkbenchLink>;

export const WorkbenchCard = Type.Object({
  /** `<module>.<card>`, e.g. `cases.toAccept`. */
  id: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[A-Za-z0-9]+$' }),
  /** The module that computed it. */
  module: Type.String(),
  kind: Type.Union([Type.Literal('todo'), Type.Literal('figure')]),
  /**
   * A to-do's count; a figure's value this month (a rate 0–1 for `percent`, a number for `index`),
   * null when there is nothing to measure yet.
   */
  value: Nullable(Type.Number()),
  /** A figure's value last month (null: nothing to compare with). */
  previous: Type.Optional(Nullable(Type.Number())),
  format: Type.Union([Type.Literal('count'), Type.Literal('percent'), Type.Literal('index')]),
  /** Whether a higher figure is better (on-time rate) or worse (burden). */
  higherIsBetter: Type.Optional(Type.Boolean()),
  tone: Type.Union([
    Type.Literal('primary'),
    Type.Literal('success'),
    Type.Literal('warning'),
    Type.Literal('danger'),
    Type.Literal('info'),
  ]),
  /** The nearest deadline among the counted rows (a to-do), if any. */
  dueAt: Type.Optional(Nullable(IsoTime)),
  /** A figure's recent values, oldest first (a sparkline): weeks or months, as `trendUnit` says. */
  trend: Type.Optional(Type.Array(Nullable(Type.Number()), { maxItems: 24 })),
  trendUnit: Type.Optional(Type.Union([Type.Literal('week'), Type.Literal('month')])),
  link: Nullable(WorkbenchLink),
});
export type WorkbenchCard = Static<typeof WorkbenchCard>;

export const Workbench = Type.Object({
  cards: Type.Array(WorkbenchCard),
  /** When the counts were taken (the server's clock). */
  at: IsoTime,
});
export type Workbench = Static<typeof Workbench>;
