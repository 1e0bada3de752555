import { type Static, type TSchema, type TStringOptions, Type } from 'typebox';

/** A v4/v7 UUID string. */
export const Id = Type.String({ format: 'uuid' });
export const IsoTime = Type.String({ format: 'date-time' });
/**
 * A calendar day, `YYYY-MM-DD` (a Beijing civil date), in the years 1900–2199: a real date (the
 * `date` format refuses 2026-02-30, which a pattern alone lets through to the code).
 */
export const DateText = Type.String({
  format: 'date',
  pattern: '^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$',
  description: 'YYYY-MM-DD',
});
/** A calendar month, `YYYY-MM`, in the years 1900–2199. */
export const MonthText = Type.String({
  pattern: '^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$',
  description: 'YYYY-MM',
});
/**
 * `T | null`. The null branch comes first on purpose: the server's Ajv coerces types (for query
 * strings), and in `[T, null]` it would turn a JSON `null` into 0 or "" by coercing it into the
 * first branch. With `[null, T]` a null matches as it is.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

/** The highest version number of a versioned record (catalogue items, the three lists). */
export const VERSION_MAX = 1_000_000;

/** Cursor pagination, `?cursor=&limit=` (ARCHITECTURE.md, HTTP conventions). */
export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});
export type PageQuery = Static<typeof PageQuery>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String()),
  });

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

export const Ok = Type.Object({ ok: Type.Literal(true) });

/** A Chinese mainland mobile number: 11 digits starting with 1[3-9]. */
export const Phone = Type.String({ pattern: '^1[3-9][0-9]{9}$', description: '中国大陆手机号, 11 位' });

/** The schema keyword that marks a string as multi-line free text (see `FreeText`). */
export const FREE_TEXT = 'x-free-text';

/**
 * Multi-line free text: notes, descriptions, comments, reasons. These are the only strings that may
 * hold tabs and line breaks; the server's input guard (core/input-guard.ts) refuses them, like
 * every other control character, in all other string fields.
 */
export const FreeText = (options: TStringOptions = {}) => Type.String({ ...options, [FREE_TEXT]: true });

/** A file part of a multipart/form-data body: documented here, checked by content on the server. */
export const FilePart = Type.String({ format: 'binary' });
