import { type Static, Type } from 'typebox';
import { FilePart, FreeText, Id, IsoTime, Nullable, PageQuery } from './common';
import { OrgUnitRef } from './identity';
import { ServiceMode } from './service-guide';

/** Where an application (办件) stands. The transition table is in the server's applications-workflow.ts. */
export const APPLICATION_STATUSES = [
  'submitted',
  'needs_more',
  'pre_review',
  'accepted',
  'forwarded',
  'done',
  'refused',
  'result_ready',
  'completed',
  'rated',
  'withdrawn',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const ApplicationStatus = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('needs_more'),
  Type.Literal('pre_review'),
  Type.Literal('accepted'),
  Type.Literal('forwarded'),
  Type.Literal('done'),
  Type.Literal('refused'),
  Type.Literal('result_ready'),
  Type.Literal('completed'),
  Type.Literal('rated'),
  Type.Literal('withdrawn'),
]);

/** Every workflow step, each a `POST /applications/:id/<kebab-case step>`. */
export const APPLICATION_STEPS = [
  'pre_review',
  'request_more',
  'add_materials',
  'accept',
  'forward',
  'complete',
  'refuse',
  'result_ready',
  'finish',
  'rate',
  'withdraw',
] as const;
export type ApplicationStep = (typeof APPLICATION_STEPS)[number];
export const ApplicationStep = Type.Union([
  Type.Literal('pre_review'),
  Type.Literal('request_more'),
  Type.Literal('add_materials'),
  Type.Literal('accept'),
  Type.Literal('forward'),
  Type.Literal('complete'),
  Type.Literal('refuse'),
  Type.Literal('result_ready'),
  Type.Literal('finish'),
  Type.Literal('rate'),
  Type.Literal('withdraw'),
]);

/** Abilities besides the workflow steps. */
export type ApplicationAbility = ApplicationStep | 'record_visit';

export const ResultDelivery = Type.Union([Type.Literal('pick_up'), Type.Literal('post')]);
export type ResultDelivery = Static<typeof ResultDelivery>;

export const ApplicationFile = Type.Object({
  id: Id,
  materialName: Type.String(),
  mime: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  /** The authorised download route. */
  url: Type.String(),
  createdAt: IsoTime,
});
export type ApplicationFile = Static<typeof ApplicationFile>;

export const ApplicationEvent = Type.Object({
  step: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  actor: Nullable(Type.String()),
  note: Nullable(Type.String()),
  at: IsoTime,
});
export type ApplicationEvent = Static<typeof ApplicationEvent>;

export const ApplicationVisit = Type.Object({
  id: Id,
  at: IsoTime,
  note: Nullable(Type.String()),
  recordedBy: Nullable(Type.String()),
});
export type ApplicationVisit = Static<typeof ApplicationVisit>;

export const ApplicationSummary = Type.Object({
  id: Id,
  /** The receipt number (受理编号) the resident quotes, e.g. `510604-BJ20261208-0042`. */
  number: Type.String(),
  status: ApplicationStatus,
  mode: ServiceMode,
  item: Type.Object({ id: Id, code: Type.String(), name: Type.String() }),
  orgUnit: OrgUnitRef,
  department: Nullable(Type.Object({ id: Id, name: Type.String() })),
  /** The resident's display name, masked in lists. */
  resident: Type.String(),
  appointmentAt: Nullable(IsoTime),
  acceptedAt: Nullable(IsoTime),
  dueAt: Nullable(IsoTime),
  /** Past dueAt and not yet done. */
  overdue: Type.Boolean(),
  visits: Type.Integer(),
  /** More than one in-person visit: the 最多跑一次 pledge is broken. */
  multipleTrips: Type.Boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type ApplicationSummary = Static<typeof ApplicationSummary>;

export const Application = Type.Object({
  ...ApplicationSummary.properties,
  note: Nullable(Type.String()),
  missingMaterials: Type.Array(Type.String()),
  /** Required materials the resident said they will bring to the service room (not uploaded). */
  materialsToBring: Type.Array(Type.String()),
  refusalReason: Nullable(Type.String()),
  delivery: Nullable(ResultDelivery),
  rating: Nullable(Type.Integer()),
  ratingComment: Nullable(Type.String()),
  files: Type.Array(ApplicationFile),
  events: Type.Array(ApplicationEvent),
  visitLog: Type.Array(ApplicationVisit),
  /** What the caller may do next: workflow steps and `record_visit`. */
  abilities: Type.Array(Type.String()),
});
export type Application = Static<typeof Application>;

export const ApplicationPage = Type.Object({
  items: Type.Array(ApplicationSummary),
  nextCursor: Nullable(Type.String()),
});
export type ApplicationPage = Static<typeof ApplicationPage>;

export const ApplicationQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(ApplicationStatus),
  overdue: Type.Optional(Type.Boolean()),
  orgUnitId: Type.Optional(Id),
});
export type ApplicationQuery = Static<typeof ApplicationQuery>;

export const ApplicationMineQuery = Type.Object({ ...PageQuery.properties });
export type ApplicationMineQuery = Static<typeof ApplicationMineQuery>;

/**
 * The fields of `POST /applications` (multipart/form-data): `itemId`, `orgUnitId`, `note`,
 * `appointmentAt` (direct items), then per file a `materialName` field followed by a `files` part.
 */
export const ApplicationCreateFields = Type.Object({
  itemId: Id,
  orgUnitId: Id,
  note: Type.Optional(FreeText({ maxLength: 1000 })),
  appointmentAt: Type.Optional(IsoTime),
});
export type ApplicationCreateFields = Static<typeof ApplicationCreateFields>;

/** Files one application carries at most. */
export const APPLICATION_FILES_MAX = 20;

/** Per file: the `materialName` field it answers, sent just before its `files` part. */
const MaterialFiles = {
  materialName: Type.Optional(
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: APPLICATION_FILES_MAX }),
  ),
  files: Type.Optional(Type.Array(FilePart, { maxItems: APPLICATION_FILES_MAX })),
};

/** The whole multipart form of `POST /applications`. */
export const ApplicationCreateForm = Type.Object({
  ...ApplicationCreateFields.properties,
  /**
   * Required materials the resident will bring to the service room instead of uploading, one
   * field per material name (allowed when the item's guide asks for an on-site visit).
   */
  bringMaterials: Type.Optional(
    Type.Array(Type.String({ maxLength: 100 }), { maxItems: APPLICATION_FILES_MAX }),
  ),
  ...MaterialFiles,
});

/** The multipart form of `POST /applications/:id/add-materials`. */
export const AddMaterialsForm = Type.Object({
  note: Type.Optional(FreeText({ maxLength: 500 })),
  ...MaterialFiles,
});

export const RequestMoreBody = Type.Object({
  missingMaterials: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 20 }),
  note: Type.Optional(FreeText({ maxLength: 500 })),
});
export type RequestMoreBody = Static<typeof RequestMoreBody>;

export const RefuseBody = Type.Object({ reason: FreeText({ minLength: 2, maxLength: 500 }) });
export type RefuseBody = Static<typeof RefuseBody>;

export const ResultReadyBody = Type.Object({ delivery: ResultDelivery });
export type ResultReadyBody = Static<typeof ResultReadyBody>;

export const RateBody = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(FreeText({ maxLength: 500 })),
});
export type RateBody = Static<typeof RateBody>;

/** The optional note of the other steps. */
export const StepNoteBody = Type.Object({ note: Type.Optional(FreeText({ maxLength: 500 })) });
export type StepNoteBody = Static<typeof StepNoteBody>;

export const VisitCreate = Type.Object({
  at: Type.Optional(IsoTime),
  note: Type.Optional(FreeText({ maxLength: 500 })),
});
export type VisitCreate = Static<typeof VisitCreate>;

export const FileParams = Type.Object({ id: Id, fileId: Id });
export type FileParams = Static<typeof FileParams>;
