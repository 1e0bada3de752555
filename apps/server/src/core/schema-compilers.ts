import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify's request validators (Ajv) and response serializers (fast-json-stringify), compiled
 * when a route first needs them instead of all at start, and shared by every app in the process.
 *
 * Measured (decision 46): compiling the schemas of ~200 routes at start was 2.6 s of the 9 s of
 * CPU a server start took — Ajv 1.4 s, fast-json-stringify 1.25 s — and every test file paid it
 * again for each app it built. Compiled on first use, a server starts without it, a test compiles
 * only what it calls, and apps built in one process with the same options reuse each other's
 * functions (Ajv keeps what it compiled by schema object; serializers are kept here the same way).
 * A route's first request pays its own compile (milliseconds). The fuzzer and the authorization
 * matrix call every route, so a schema that fails to compile still fails the tests.
 */

type Validate = ((data: unknown, dataCxt?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteSchema = { schema: object; method?: string; url?: string; httpPart?: string; httpStatus?: string };
type CompilerFactory = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => unknown;

const require = createRequire(import.meta.url);
// Fastify's own defaults, created once per process (each keeps a pool per set of options).
const ajvSelector: CompilerFactory = require('@fastify/ajv-compiler')();
const fjsSelector: CompilerFactory = require('@fastify/fast-json-stringify-compiler')();

function buildValidator(externalSchemas: unknown, options: unknown) {
  const compile = ajvSelector(externalSchemas, options);
  return (route: RouteSchema): Validate => {
    let real: Validate | undefined;
    const lazy: Validate = (data, dataCxt) => {
      real ??= compile(route) as Validate;
      const ok = dataCxt === undefined ? real(data) : real(data, dataCxt);
      lazy.errors = real.errors;
      return ok;
    };
    // Fastify passes the parent object (so Ajv can coerce a root value) only to a function that
    // has `schemaEnv`, as Ajv's compiled functions do; the real one takes it either way.
    lazy.schemaEnv = true;
    return lazy;
  };
}

// Serializers by options (external schemas and settings), then by schema object.
const serializers = new Map<string, WeakMap<object, (payload: unknown) => string>>();

function buildSerializer(externalSchemas: unknown, options: unknown) {
  const compile = fjsSelector(externalSchemas, options);
  const key = JSON.stringify([externalSchemas ?? null, options ?? null]);
  let byObject = serializers.get(key);
  if (!byObject) {
    byObject = new WeakMap();
    serializers.set(key, byObject);
  }
  const kept = byObject;
  return (route: RouteSchema) => {
    let real: ((payload: unknown) => string) | undefined;
    return (payload: unknown): string => {
      if (!real) {
        real = kept.get(route.schema);
        if (!real) {
          real = compile(route) as (payload: unknown) => string;
          kept.set(route.schema, real);
        }
      }
      return real(payload);
    };
  };
}

/** The `schemaController` option that makes an app compile lazily with the shared compilers. */
export const lazySchemaController = {
  compilersFactory: { buildValidator, buildSerializer },
} as unknown as NonNullable<FastifyServerOptions['schemaController']>;
