import { type Static, type TSchema, Type } from 'typebox';

/** A v4/v7 UUID string. */
export const Id = Type.String({ format: 'uuid' });
export const IsoTime = Type.String({ format: 'date-time' });
/**
 * `T | null`. The null branch comes first on purpose: the server's Ajv coerces types (for query
 * strings), and in `[T, null]` it would turn a JSON `null` into 0 or "" by coercing it into the
 * first branch. With `[null, T]` a null matches as it is.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

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
