import { FREE_TEXT } from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from './errors';

/**
 * The one input guard, in front of schema validation for every route (params, querystring, body)
 * and for the text fields of forms the routes read themselves (multipart, the Open311 form):
 *
 * - no string (value or key) holds a control character: NUL and the rest of C0, DEL and C1 are
 *   refused everywhere; tab, CR and LF only in strings the schema marks as free text
 *   (`FreeText()` in contracts, the `x-free-text` keyword). PostgreSQL refuses NUL in text, and no
 *   single-line field has a use for the others. Nor half a surrogate pair (a `\ud800` JSON
 *   escape): it is not Unicode, and PostgreSQL's json columns refuse it;
 * - a number that arrives as text (query strings, path parameters, a string where the body wants a
 *   number) is a plain decimal: Ajv's type coercion turns "1e309" into Infinity and then skips the
 *   schema's minimum and maximum, so `limit=1e309` reached the database;
 * - nesting is bounded (a 10,000-level body is refused, not walked);
 * - every numeric input in a route's schemas has bounds: a route without them stops the start-up.
 *
 * A refusal is a 400 problem naming each field (`body/note`, `querystring/limit`).
 */

/** A route's form that Fastify does not parse into a validated body (multipart, urlencoded). */
declare module 'fastify' {
  interface FastifySchema {
    /**
     * The fields of a body the route reads itself (multipart/form-data, or a urlencoded form).
     * Documented as the request body in OpenAPI and read by the input guard; the route checks it.
     */
    form?: unknown;
  }
}

type Schema = Record<string, unknown>;

/** Refused in every string: C0 controls but tab, LF, CR; DEL; C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Half of a UTF-16 surrogate pair: JSON's `\ud800` escape, which PostgreSQL's json refuses. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Allowed in free text only. */
const LINE = /[\t\n\r]/;
/** A number sent as text. */
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;
const MAX_DEPTH = 32;
const MAX_ERRORS = 20;

interface Found {
  characters: FieldError[];
  syntax: FieldError[];
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schemas a value at this place may match: unions and intersections flattened. */
function flatten(schemas: Schema[]): Schema[] {
  const out: Schema[] = [];
  const add = (s: unknown) => {
    if (!isObject(s)) return;
    out.push(s);
    for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = s[k];
      if (Array.isArray(list)) for (const b of list) add(b);
    }
  };
  for (const s of schemas) add(s);
  return out;
}

function types(s: Schema): string[] {
  const t = s.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

function itemSchemas(schemas: Schema[], index: number): Schema[] {
  const out: Schema[] = [];
  for (const s of schemas) {
    const prefix = s.prefixItems;
    if (Array.isArray(prefix) && index < prefix.length) out.push(prefix[index] as Schema);
    else if (Array.isArray(s.items)) out.push((s.items as Schema[])[index] as Schema);
    else if (isObject(s.items)) out.push(s.items);
  }
  return flatten(out);
}

function propertySchemas(schemas: Schema[], key: string): Schema[] {
  const out: Schema[] = [];
  for (const s of schemas) {
    const props = s.properties;
    if (isObject(props) && Object.hasOwn(props, key)) {
      out.push(props[key] as Schema);
      continue;
    }
    let matched = false;
    if (isObject(s.patternProperties)) {
      for (const [pattern, sub] of Object.entries(s.patternProperties)) {
        if (new RegExp(pattern, 'u').test(key)) {
          out.push(sub as Schema);
          matched = true;
        }
      }
    }
    if (!matched && isObject(s.additionalProperties)) out.push(s.additionalProperties);
  }
  return flatten(out);
}

function walk(
  value: unknown,
  schemas: Schema[],
  field: string,
  depth: number,
  coerced: boolean,
  found: Found,
) {
  if (found.characters.length + found.syntax.length >= MAX_ERRORS) return;
  if (typeof value === 'string') {
    checkString(value, schemas, field, coerced, found);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_DEPTH) {
    found.syntax.push({ field, message: `is nested more than ${MAX_DEPTH} levels deep`, code: 'depth' });
    return;
  }
  if (Array.isArray(value)) {
    // Where the schema wants a single value, Ajv takes a one-element array's element: check it so.
    const scalar = !schemas.some((s) => types(s).includes('array'));
    value.forEach((item, i) => {
      walk(item, scalar ? schemas : itemSchemas(schemas, i), `${field}/${i}`, depth + 1, coerced, found);
    });
    return;
  }
  for (const key of Object.keys(value)) {
    const path = `${field}/${key}`;
    if (CONTROL.test(key) || LINE.test(key) || LONE_SURROGATE.test(key)) {
      found.characters.push({
        field: path,
        message: 'has control characters in its name',
        code: 'invalid-characters',
      });
      continue;
    }
    walk((value as Schema)[key], propertySchemas(schemas, key), path, depth + 1, coerced, found);
  }
}

function checkString(value: string, schemas: Schema[], field: string, coerced: boolean, found: Found) {
  // A scalar where the schema wants an array is coerced into one: it is checked as an item.
  const candidates = schemas.flatMap((s) => (types(s).includes('array') ? [s, ...itemSchemas([s], 0)] : [s]));
  if (
    CONTROL.test(value) ||
    LONE_SURROGATE.test(value) ||
    (LINE.test(value) && !candidates.some((s) => s[FREE_TEXT] === true))
  ) {
    found.characters.push({
      field,
      message: 'must not contain control characters',
      code: 'invalid-characters',
    });
    return;
  }
  if (!coerced || value.length === 0) return;
  const wanted = candidates.flatMap(types);
  const numeric = wanted.includes('number') || wanted.includes('integer');
  if (numeric && !wanted.includes('string') && !DECIMAL.test(value)) {
    found.syntax.push({ field, message: 'must be a decimal number of at most 30 digits', code: 'type' });
  }
}

/**
 * Checks one part of a request against its schema (none: every string is single-line text).
 * `coerced`: the part goes on to Ajv, which turns text into numbers.
 */
export function guardInput(part: string, value: unknown, schema: unknown, coerced = true): void {
  if (value === undefined || value === null) return;
  const found: Found = { characters: [], syntax: [] };
  walk(value, flatten(isObject(schema) ? [schema] : []), part, 0, coerced, found);
  if (found.characters.length) {
    const names = found.characters.map((e) => e.field).join(', ');
    throw new AppError(400, 'invalid-characters', `Control characters are not allowed in: ${names}.`, {
      errors: [...found.characters, ...found.syntax],
    });
  }
  if (found.syntax.length) {
    throw AppError.validation(
      found.syntax,
      `Invalid fields: ${found.syntax.map((e) => e.field).join(', ')}.`,
    );
  }
}

/** Checks one text field of a form the route reads itself, against the route's `schema.form`. */
export function guardFormField(req: FastifyRequest, name: string, value: string): void {
  guardInput('body', { [name]: value }, req.routeOptions.schema?.form, false);
}

/** Every number or integer in an input schema, with the path to it, that lacks a bound. */
export function unboundedNumbers(schema: unknown, path: string, seen = new Set<unknown>()): string[] {
  if (!isObject(schema) || seen.has(schema)) return [];
  seen.add(schema);
  const out: string[] = [];
  const t = types(schema);
  if (t.includes('number') || t.includes('integer')) {
    const low = schema.minimum !== undefined || schema.exclusiveMinimum !== undefined;
    const high = schema.maximum !== undefined || schema.exclusiveMaximum !== undefined;
    if (!low || !high) out.push(path);
  }
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) out.push(...unboundedNumbers(s, path, seen));
  }
  const items = schema.items;
  if (Array.isArray(items)) for (const s of items) out.push(...unboundedNumbers(s, `${path}/*`, seen));
  else out.push(...unboundedNumbers(items, `${path}/*`, seen));
  if (isObject(schema.properties)) {
    for (const [k, s] of Object.entries(schema.properties))
      out.push(...unboundedNumbers(s, `${path}/${k}`, seen));
  }
  for (const k of ['patternProperties'] as const) {
    if (isObject(schema[k]))
      for (const s of Object.values(schema[k])) out.push(...unboundedNumbers(s, `${path}/*`, seen));
  }
  out.push(...unboundedNumbers(schema.additionalProperties, `${path}/*`, seen));
  return out;
}

const PARTS = [
  ['params', 'params'],
  ['querystring', 'querystring'],
  ['body', 'body'],
  ['form', 'body'],
] as const;

/** Registers the guard on every route: the start-up check of bounds, and the check of each request. */
export function registerInputGuard(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    // The guard (and the API docs) can only know a form the route declares.
    if (schema.consumes && !schema.body && !schema.form) {
      throw new Error(
        `Route ${[route.method].flat().join(',')} ${route.url}: consumes a body but declares no schema.form`,
      );
    }
    const unbounded = PARTS.flatMap(([key, part]) => unboundedNumbers(schema[key], part));
    if (unbounded.length) {
      throw new Error(
        `Route ${[route.method].flat().join(',')} ${route.url}: numbers without a minimum and maximum: ${unbounded.join(', ')}`,
      );
    }
  });

  // Callback style: this runs on every request, and an async hook costs a promise each.
  app.addHook('preValidation', (req, _reply, done) => {
    const schema = req.routeOptions.schema;
    try {
      guardInput('params', req.params, schema?.params);
      guardInput('querystring', req.query, schema?.querystring);
      // A form body (the Open311 urlencoded form) is read by the route, not coerced by Ajv.
      if (schema?.form && !schema.body) guardInput('body', req.body, schema.form, false);
      else guardInput('body', req.body, schema?.body);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
}
