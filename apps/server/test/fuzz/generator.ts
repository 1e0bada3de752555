import fc from 'fast-check';

/**
 * Malformed requests for one OpenAPI operation, as fast-check arbitraries: a request valid by the
 * operation's schemas (so that input reaches the handler) with edge values, or one with a single
 * part broken — a parameter, a query value, a body field, the whole body, a header, a multipart
 * part. Everything the schemas say is read from the OpenAPI document; a schema keyword or a body
 * type this generator does not know makes it throw, so a new kind of route fails the fuzz test
 * until the generator learns it.
 */

export type Schema = Record<string, unknown>;

export interface Operation {
  method: string;
  /** OpenAPI path template, `/api/v1/cases/{id}`. */
  path: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface FuzzRequest {
  /** What was broken, for the failure report. */
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/**
 * An operation's requests: one targeted case per input field (NUL in each string, 1e309 in each
 * number, the others valid: one poisoned field among valid ones is what reached the database),
 * and random cases.
 */
export interface OperationCases {
  targeted: fc.Arbitrary<FuzzRequest>[];
  random: fc.Arbitrary<FuzzRequest>;
}

/** The generator cannot build requests for this operation: the fuzz test fails until it can. */
export class Unsupported extends Error {}

/** A JSON token written as it is (`1e309`, `-0`, a 10,000-level array), not as a JSON value. */
export class Raw {
  constructor(readonly text: string) {}
}

/** Serialises with `Raw` tokens in place. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return v;
  });
  return (text ?? '').replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]!);
}

const KNOWN_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'anyOf',
  'oneOf',
  'allOf',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'default',
  'description',
  'title',
  'examples',
  'x-free-text',
]);
const KNOWN_FORMATS = new Set(['uuid', 'date-time', 'date', 'binary']);

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws Unsupported for a keyword or format the generator would silently get wrong. */
export function checkSchema(schema: unknown, where: string): void {
  if (!isObject(schema)) return;
  for (const k of Object.keys(schema)) {
    if (!KNOWN_KEYWORDS.has(k)) throw new Unsupported(`${where}: schema keyword "${k}"`);
  }
  if (typeof schema.format === 'string' && !KNOWN_FORMATS.has(schema.format))
    throw new Unsupported(`${where}: string format "${schema.format}"`);
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = schema[k];
    if (Array.isArray(list)) {
      list.forEach((s, i) => {
        checkSchema(s, `${where}/${k}/${i}`);
      });
    }
  }
  if (Array.isArray(schema.items)) {
    schema.items.forEach((s, i) => {
      checkSchema(s, `${where}/items/${i}`);
    });
  } else checkSchema(schema.items, `${where}/items`);
  if (isObject(schema.properties))
    for (const [k, s] of Object.entries(schema.properties)) checkSchema(s, `${where}/${k}`);
  if (isObject(schema.patternProperties))
    for (const [k, s] of Object.entries(schema.patternProperties)) checkSchema(s, `${where}/${k}`);
  checkSchema(schema.additionalProperties, `${where}/*`);
}

function types(s: Schema): string[] {
  const t = s.type;
  if (Array.isArray(t)) return t as string[];
  if (typeof t === 'string') return [t];
  if (Array.isArray(s.enum))
    return [...new Set((s.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  if ('const' in s) return [s.const === null ? 'null' : typeof s.const];
  return [];
}

/** The branches of unions and intersections, flattened. */
function branches(s: Schema): Schema[] {
  const out: Schema[] = [s];
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[k];
    if (Array.isArray(list)) for (const b of list) if (isObject(b)) out.push(...branches(b));
  }
  return out;
}

// Values ------------------------------------------------------------------------------------

const FIXED_TIMES = [
  '2026-11-27T10:00:00+08:00',
  '2026-01-01T00:00:00Z',
  '1970-01-01T00:00:00.000Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2024-02-29T12:00:00-12:00',
  '2026-11-27T10:00:00.123456+14:00',
];
const FIXED_DAYS = ['2026-11-27', '2026-01-01', '2024-02-29', '1900-01-01', '2199-12-31'];
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Texts that are valid strings but unkind: SQL and LIKE syntax, markup, scripts, odd Unicode. */
const ODD_TEXTS = [
  "' OR '1'='1' --",
  '%_\\%',
  '<script>alert(1)</script>',
  '社区 😀 👨‍👩‍👧 ‮gnp.exe',
  'e\u0301 Å Å',
  '\ud800 lone surrogate',
  '  spaced  ',
  '\u200b\ufeff',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, on purpose
  '{{7*7}} ${7*7}',
  '../../../../etc/passwd',
  '罗江区万安镇翰林社区',
];

function fit(text: string, min: number, max: number): string {
  let t = text;
  while ([...t].length < min) t += '字';
  return [...t].slice(0, max).join('');
}

export interface ValueContext {
  /** Ids that exist in the seeded database, so that by-id routes reach their handlers. */
  ids: string[];
}

/** Values valid by the schema, leaning to the edges (bounds, lengths, odd text). */
export function valid(schema: Schema, ctx: ValueContext, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 12) throw new Unsupported('schema nested more than 12 levels');
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = [...((schema.anyOf as Schema[]) ?? []), ...((schema.oneOf as Schema[]) ?? [])];
  if (union.length) return fc.oneof(...union.map((s) => valid(s, ctx, depth + 1)));
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf as Schema[];
    if (!parts.every((p) => types(p).includes('object')))
      throw new Unsupported('allOf of anything but objects');
    return valid(
      {
        type: 'object',
        properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
        required: parts.flatMap((p) => (p.required as string[]) ?? []),
      },
      ctx,
      depth + 1,
    );
  }
  const t = types(schema);
  if (t.length > 1) return fc.oneof(...t.map((one) => valid({ ...schema, type: one }, ctx, depth + 1)));
  const examples = Array.isArray(schema.examples) ? (schema.examples as unknown[]) : [];
  const withExamples = (arb: fc.Arbitrary<unknown>) =>
    examples.length ? fc.oneof(fc.constantFrom(...examples), arb) : arb;
  switch (t[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return withExamples(fc.constantFrom(...edgeNumbers(schema, t[0] === 'integer')));
    case 'string':
      return withExamples(validString(schema, ctx));
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      const max = Math.min((schema.maxItems as number | undefined) ?? 3, Math.max(min, 3));
      if (Array.isArray(schema.prefixItems) || Array.isArray(schema.items)) {
        const items = (schema.prefixItems ?? schema.items) as Schema[];
        return fc.tuple(...items.map((s) => valid(s, ctx, depth + 1)));
      }
      if (!isObject(schema.items)) return fc.constant([]);
      return fc.array(valid(schema.items, ctx, depth + 1), { minLength: min, maxLength: max });
    }
    case 'object': {
      const props = (schema.properties as Record<string, Schema>) ?? {};
      const required = (schema.required as string[]) ?? [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = valid(s, ctx, depth + 1);
      return fc.record(model, { requiredKeys: required.filter((k) => k in props) });
    }
    case undefined:
      // `{}`: anything goes.
      return fc.constantFrom<unknown>('x', 1, true, null, {});
    default:
      throw new Unsupported(`schema type "${t[0]}"`);
  }
}

function edgeNumbers(schema: Schema, integer: boolean): number[] {
  const lo = (schema.minimum as number | undefined) ?? (schema.exclusiveMinimum as number | undefined);
  const hi = (schema.maximum as number | undefined) ?? (schema.exclusiveMaximum as number | undefined);
  const low =
    lo === undefined ? -1000 : schema.exclusiveMinimum !== undefined ? lo + (integer ? 1 : 0.5) : lo;
  const high =
    hi === undefined ? 1000 : schema.exclusiveMaximum !== undefined ? hi - (integer ? 1 : 0.5) : hi;
  const values = [low, high, Math.round((low + high) / 2), low + 1, high - 1];
  if (low <= 0 && high >= 0) values.push(0, -0);
  if (!integer) values.push(low + 0.25, (low + high) / 3);
  return [...new Set(values.filter((v) => v >= low && v <= high && (!integer || Number.isInteger(v))))];
}

function validString(schema: Schema, ctx: ValueContext): fc.Arbitrary<string> {
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = (schema.maxLength as number | undefined) ?? 2000;
  if (schema.format === 'uuid') {
    const fresh = fc.oneof(fc.uuid({ version: [4, 7] }), fc.constantFrom(NIL_UUID, MAX_UUID));
    return ctx.ids.length ? fc.oneof({ arbitrary: fc.constantFrom(...ctx.ids), weight: 3 }, fresh) : fresh;
  }
  if (schema.format === 'date-time') return fc.constantFrom(...FIXED_TIMES);
  if (schema.format === 'date') return fc.constantFrom(...FIXED_DAYS);
  if (schema.format === 'binary') return fc.constant('binary');
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern as string, 'u');
    return fc.stringMatching(re, { size: 'small' }).filter((s) => s.length >= min && s.length <= max);
  }
  const texts = ODD_TEXTS.map((t) => fit(t, min, max));
  if (schema['x-free-text'] === true) texts.push(fit('第一行\n第二行\r\n\t缩进', min, max));
  texts.push(fit('', min, min), fit('长'.repeat(max), max, max));
  return fc.oneof(
    fc.constantFrom(...texts),
    fc.string({ minLength: min, maxLength: Math.min(max, 40), unit: 'grapheme' }),
  );
}

// Broken values ------------------------------------------------------------------------------

const DIGITS_140 = `1${'0'.repeat(139)}`;
const MB = 1024 * 1024;
const DEEP = 10_000;
/** Just under the 1 MB body limit as ASCII; three times over it as UTF-8. */
const LONG_TEXTS = ['x'.repeat(MB - 64), '长'.repeat(400_000)];
const TEN_THOUSAND_NULLS = Array.from({ length: 10_000 }, () => null);

/** Numbers that break parsers and columns, as JSON tokens and as text. */
const BAD_NUMBERS: unknown[] = [
  new Raw('1e309'),
  new Raw('-1e309'),
  new Raw('-0'),
  new Raw(DIGITS_140),
  new Raw('2147483648'),
  new Raw('-2147483649'),
  new Raw('9007199254740993'),
  new Raw('1.5'),
  new Raw('1e-400'),
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  DIGITS_140,
  `-${DIGITS_140}`,
  '0x10',
  '1e3',
  ' 5',
  '5abc',
  '-0',
  '2147483648',
];

const BAD_IDS = [
  'not-a-uuid',
  '../../../../etc/passwd',
  '..',
  '%00',
  `${NIL_UUID}x`,
  '00000000-0000-0000-0000-00000000000g',
  ' 01a250de-504b-701d-8c8c-d48385020000',
  '1',
  '-1',
  DIGITS_140,
];

const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-11-27T24:00:00+08:00',
  '0000-00-00T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '9999999-01-01',
  '2026-11-27 10:00',
  'yesterday',
  '1e309',
];

const CONTROL_TEXTS = [
  'a\u0000b',
  '\u0000',
  'x\u0001\u0002\u001b[31m',
  'del\u007f',
  'c1\u0085\u009b',
  'line\nbreak',
  'tab\there',
  '\r\n',
];

function deepArray(levels: number): Raw {
  return new Raw(`${'['.repeat(levels)}${']'.repeat(levels)}`);
}
function deepObject(levels: number): Raw {
  return new Raw(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
}

/** A value that the schema (a list of candidates at one place) does not allow, or just barely does. */
export function broken(schemas: Schema[]): fc.Arbitrary<unknown> {
  const all = schemas.flatMap(branches);
  const t = new Set(all.flatMap(types));
  const strings = all.filter((s) => types(s).includes('string'));
  const pool: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, true, 0, {}, [], 'x', ''),
    fc.constantFrom<unknown>(...CONTROL_TEXTS),
  ];
  if (t.has('number') || t.has('integer')) {
    pool.push(fc.constantFrom(...BAD_NUMBERS));
    for (const s of all) {
      if (typeof s.maximum === 'number') pool.push(fc.constantFrom(s.maximum + 1, s.maximum + 0.5));
      if (typeof s.minimum === 'number') pool.push(fc.constant(s.minimum - 1));
    }
  }
  if (t.has('boolean'))
    pool.push(fc.constantFrom<unknown>('yes', 2, 'TRUE', 'true\u0000', ['true', 'false']));
  if (t.has('string')) {
    pool.push(fc.constantFrom<unknown>(...LONG_TEXTS));
    for (const s of strings) {
      if (s.format === 'uuid') pool.push(fc.constantFrom(...BAD_IDS));
      if (s.format || typeof s.pattern === 'string') pool.push(fc.constantFrom(...BAD_DATES));
      if (typeof s.maxLength === 'number') pool.push(fc.constant('字'.repeat(s.maxLength + 1)));
      if (typeof s.minLength === 'number' && s.minLength > 0)
        pool.push(fc.constant('a'.repeat(s.minLength - 1)));
      if (Array.isArray(s.enum))
        pool.push(fc.constantFrom(...(s.enum as unknown[]).map((v) => `${String(v)}\u0000`)));
    }
  }
  if (t.has('object') || t.has('array')) {
    pool.push(
      fc.constantFrom<unknown>(
        deepArray(DEEP),
        deepObject(DEEP),
        new Raw('{"__proto__":{"polluted":true}}'),
        new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
        TEN_THOUSAND_NULLS,
        [[[[[[]]]]]],
      ),
    );
  }
  return fc.oneof(...pool);
}

/** The schema candidates at a path inside a value of `root`. */
export function schemasAt(root: Schema, path: (string | number)[]): Schema[] {
  let here = branches(root);
  for (const seg of path) {
    const next: Schema[] = [];
    for (const s of here) {
      if (typeof seg === 'number') {
        if (Array.isArray(s.prefixItems) && seg < s.prefixItems.length)
          next.push(s.prefixItems[seg] as Schema);
        else if (Array.isArray(s.items)) next.push(s.items[seg] as Schema);
        else if (isObject(s.items)) next.push(s.items);
      } else if (isObject(s.properties) && isObject(s.properties[seg])) {
        next.push(s.properties[seg] as Schema);
      } else if (isObject(s.additionalProperties)) next.push(s.additionalProperties);
    }
    here = next.filter(isObject).flatMap(branches);
  }
  return here;
}

/** A number where the schemas want one (text: Ajv coerces it), else the value with a NUL in it. */
function poisoned(value: unknown, schemas: Schema[]): unknown {
  const t = new Set(schemas.flatMap(branches).flatMap(types));
  if ((t.has('number') || t.has('integer')) && !t.has('string')) return '1e309';
  const s = typeof value === 'string' ? value : value === undefined || value === null ? 'x' : text(value);
  return `${s.slice(0, 20)}\u0000`;
}

/** A field that holds one value (a string, a number), not an object or an array. */
function leaf(schemas: Schema[]): boolean {
  const t = new Set(schemas.flatMap(branches).flatMap(types));
  return t.size > 0 && !t.has('object') && !t.has('array');
}

/** The top-level fields an object schema (or any branch of it) names. */
function fieldsOf(schema: Schema): string[] {
  return [
    ...new Set(branches(schema).flatMap((b) => (isObject(b.properties) ? Object.keys(b.properties) : []))),
  ];
}

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
export function pathsIn(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => [[...prefix, i], ...pathsIn(v, [...prefix, i])]);
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsIn(v, [...prefix, k])]);
  }
  return [];
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown, remove = false): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (!rest.length && remove) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number], rest, replacement, remove);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Schema) };
  if (!rest.length && remove) delete copy[head as string];
  else copy[head as string] = setAt(copy[head as string], rest, replacement, remove);
  return copy;
}

// Requests -----------------------------------------------------------------------------------

interface Parts {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

const JSON_TYPE = 'application/json';
const MULTIPART = 'multipart/form-data';
const URLENCODED = 'application/x-www-form-urlencoded';

/** A lone surrogate cannot be percent-encoded: it becomes U+FFFD, as a browser would send it. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Text of a value in a URL: Raw tokens as written, arrays as repeated keys. */
function text(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return toJson(v);
  return String(v);
}

function buildUrl(
  op: Operation,
  params: Record<string, unknown>,
  query: Record<string, unknown>,
  raw = false,
) {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = text(params[name]);
    return raw ? v : encodeURIComponent(wellFormed(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) qs.append(k, text(one));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** The one body media type the operation documents; more than one, or an unknown one, is unsupported. */
function bodyType(op: Operation): { type: string; schema: Schema } | null {
  const content = op.requestBody?.content;
  if (!content) return null;
  const types = Object.keys(content);
  if (types.length !== 1) throw new Unsupported(`request body in ${types.length} media types`);
  const type = types[0]!;
  if (![JSON_TYPE, MULTIPART, URLENCODED].includes(type))
    throw new Unsupported(`request body of type ${type}`);
  const schema = content[type]!.schema;
  if (!isObject(schema)) throw new Unsupported(`request body of ${type} without a schema`);
  return { type, schema };
}

// Multipart ----------------------------------------------------------------------------------

export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; data: Buffer };

const BOUNDARY = 'linliFuzzBoundary7MA4YWxkTrZu0gW';
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2e2ad8d0000000049454e44ae426082',
  'hex',
);
export const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');

/** One byte over the 10 MB a file may have. */
const OVERSIZED_FILE = Buffer.concat([PNG, Buffer.alloc(10 * MB + 1 - PNG.length)]);

export function encodeMultipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('data' in p) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            `Content-Type: ${p.type}\r\n\r\n`,
        ),
        p.data,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`,
        ),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const isFile = (s: Schema) => s.format === 'binary';
const fileField = (s: Schema) =>
  isFile(s) || (types(s).includes('array') && isObject(s.items) && isFile(s.items as Schema));

function formParts(fields: Record<string, unknown>, files: Record<string, Buffer[]>): Part[] {
  const parts: Part[] = [];
  for (const [name, v] of Object.entries(fields)) {
    for (const one of Array.isArray(v) ? v : [v])
      if (one !== undefined) parts.push({ name, value: text(one) });
  }
  for (const [name, list] of Object.entries(files)) {
    list.forEach((data, i) => {
      parts.push({ name, filename: `f${i}.bin`, type: 'application/octet-stream', data });
    });
  }
  return parts;
}

/** Valid multipart fields and files for a form schema. */
function validForm(schema: Schema, ctx: ValueContext) {
  const props = (schema.properties as Record<string, Schema>) ?? {};
  const required = new Set((schema.required as string[]) ?? []);
  const fieldModel: Record<string, fc.Arbitrary<unknown>> = {};
  const fileModel: Record<string, fc.Arbitrary<Buffer[]>> = {};
  for (const [name, s] of Object.entries(props)) {
    if (fileField(s)) {
      const min = isFile(s) ? 1 : ((s.minItems as number | undefined) ?? 0);
      const max = isFile(s) ? 1 : Math.min((s.maxItems as number | undefined) ?? 2, 2);
      fileModel[name] = fc.array(fc.constantFrom(PNG, JPEG, PDF), {
        minLength: Math.max(min, required.has(name) ? 1 : 0),
        maxLength: Math.max(max, min),
      });
    } else {
      const arb = valid(s, ctx);
      fieldModel[name] = required.has(name) ? arb : fc.option(arb, { nil: undefined });
    }
  }
  return fc.record({ fields: fc.record(fieldModel), files: fc.record(fileModel) });
}

// The operation ------------------------------------------------------------------------------

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16le',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=nothing-here',
  'application/vnd.api+json',
  '*/*',
  'application/json; charset=utf-8; charset=latin1',
  'garbage',
];

const ACCEPTS = ['application/xml', 'text/html', 'application/problem+json', '*/*;q=0', 'x/y/z;;;', ''];

const BAD_BODIES = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '1e309',
  'NaN',
  '{"a":1}{"b":2}',
  '\ufeff{}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`,
  `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`,
  `{"a":"${'x'.repeat(MB + 10)}"}`,
];

const BAD_PATH_VALUES = [
  ...BAD_IDS,
  'a'.repeat(101),
  'a'.repeat(5000),
  '社区',
  'ＵＵＩＤ',
  '',
  ' ',
  '\u0000',
  '\n',
];
const RAW_PATH_VALUES = ['%', '%zz', '%E0%A4%A', '..', '.', '%2e%2e', '%00', '%0a'];

/**
 * The requests the fuzzer sends one operation: a request valid by the schemas (weighted up: it is
 * what reaches the handler) or one with one part broken.
 */
export function requestsFor(op: Operation, ctx: ValueContext): OperationCases {
  const where = `${op.method.toUpperCase()} ${op.path}`;
  const params = (op.parameters ?? []).filter((p) => p.in === 'path');
  const queries = (op.parameters ?? []).filter((p) => p.in === 'query');
  for (const p of op.parameters ?? []) {
    if (p.in !== 'path' && p.in !== 'query') throw new Unsupported(`${where}: a parameter in ${p.in}`);
    if (!isObject(p.schema)) throw new Unsupported(`${where}: parameter ${p.name} without a schema`);
    checkSchema(p.schema, `${where} ${p.in} ${p.name}`);
  }
  const declared = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  for (const name of declared) {
    if (!params.some((p) => p.name === name))
      throw new Unsupported(`${where}: path parameter ${name} has no schema`);
  }
  const body = bodyType(op);
  if (body) checkSchema(body.schema, `${where} body`);
  const method = op.method.toUpperCase();

  const paramModel: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params) paramModel[p.name] = valid(p.schema!, ctx);
  const queryModel: Record<string, fc.Arbitrary<unknown>> = {};
  for (const q of queries) queryModel[q.name] = valid(q.schema!, ctx);
  const requiredQueries = queries.filter((q) => q.required).map((q) => q.name);

  const base = fc.record({
    params: fc.record(paramModel),
    query: fc.record(queryModel, { requiredKeys: requiredQueries }),
  });

  // One targeted case per path and query parameter: the others stay valid.
  const inUrl = <T>(
    b: fc.Arbitrary<T & { params: Record<string, unknown>; query: Record<string, unknown> }>,
  ) => [
    ...params.map((p) =>
      b.map((v) => ({
        v,
        label: `targeted path ${p.name}`,
        params: { ...v.params, [p.name]: poisoned(v.params[p.name], [p.schema!]) },
        query: v.query,
      })),
    ),
    ...queries.map((q) =>
      b.map((v) => ({
        v,
        label: `targeted query ${q.name}`,
        params: v.params,
        query: { ...v.query, [q.name]: poisoned(v.query[q.name], [q.schema!]) },
      })),
    ),
  ];

  if (body?.type === MULTIPART) return multipartRequests(op, method, body.schema, base, ctx, inUrl);
  if (body?.type === URLENCODED) return urlencodedRequests(op, method, body.schema, base, ctx, inUrl);

  const bodyArb: fc.Arbitrary<unknown> = body ? valid(body.schema, ctx) : fc.constant(undefined);
  const parts: fc.Arbitrary<Parts> = fc.tuple(base, bodyArb).map(([b, bd]) => ({ ...b, body: bd }));

  const send = (
    p: Parts,
    label: string,
    headers: Record<string, string> = {},
    payload?: string,
    raw = false,
  ) => {
    const h: Record<string, string> = { ...headers };
    let out = payload;
    if (out === undefined && p.body !== undefined) out = toJson(p.body);
    if (out !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
      h['content-type'] = JSON_TYPE;
    return {
      label,
      method,
      url: buildUrl(op, p.params, p.query, raw),
      headers: h,
      payload: out,
    } satisfies FuzzRequest;
  };

  const mutations: fc.Arbitrary<FuzzRequest>[] = [];
  // Valid by the schemas.
  mutations.push(parts.map((p) => send(p, 'valid')));
  // A path parameter broken.
  if (params.length) {
    mutations.push(
      fc
        .tuple(
          parts,
          fc.constantFrom(...params.map((p) => p.name)),
          fc.oneof(fc.constantFrom(...BAD_PATH_VALUES), broken([params[0]!.schema!])),
        )
        .map(([p, name, v]) =>
          send({ ...p, params: { ...p.params, [name]: v } }, `path ${name}=${preview(v)}`),
        ),
      fc
        .tuple(parts, fc.constantFrom(...params.map((p) => p.name)), fc.constantFrom(...RAW_PATH_VALUES))
        .map(([p, name, v]) =>
          send(
            { ...p, params: { ...p.params, [name]: new Raw(v) } },
            `raw path ${name}=${v}`,
            {},
            undefined,
            true,
          ),
        ),
    );
  }
  // A query value broken, an unknown one, a repeated one.
  const queryNames = queries.map((q) => q.name);
  mutations.push(
    fc
      .tuple(
        parts,
        fc.constantFrom(...queryNames, 'unknown', '__proto__', 'constructor', 'a[b]'),
        fc.constantFrom(...queries.map((q) => q.schema!), {}),
      )
      .chain(([p, name, s]) => {
        const schema = queries.find((q) => q.name === name)?.schema ?? s;
        return fc
          .oneof(broken([schema]), fc.tuple(valid(schema, ctx), valid(schema, ctx)))
          .map((v) => send({ ...p, query: { ...p.query, [name]: v } }, `query ${name}=${preview(v)}`));
      }),
  );
  if (body) {
    // One field broken or missing, or one added.
    mutations.push(
      parts.chain((p) => {
        const paths = pathsIn(p.body);
        if (!paths.length) return fc.constant(send(p, 'valid (no fields to break)'));
        return fc.tuple(fc.constantFrom(...paths), fc.integer({ min: 0, max: 4 })).chain(([path, how]) => {
          const at = schemasAt(body.schema, path);
          if (how === 0)
            return fc.constant(
              send({ ...p, body: setAt(p.body, path, undefined, true) }, `without body/${path.join('/')}`),
            );
          return broken(at).map((v) =>
            send({ ...p, body: setAt(p.body, path, v) }, `body/${path.join('/')}=${preview(v)}`),
          );
        });
      }),
      parts.chain((p) =>
        fc
          .tuple(fc.constantFrom('extra', '__proto__', 'constructor', '', 'a\u0000b'), broken([{}]))
          .map(([k, v]) =>
            send(
              { ...p, body: isObject(p.body) ? { ...p.body, [k]: v } : { [k]: v } },
              `body extra ${preview(k)}=${preview(v)}`,
            ),
          ),
      ),
      // The whole body replaced by something else.
      fc
        .tuple(parts, fc.oneof(fc.constantFrom(...BAD_BODIES), broken([body.schema]).map(toJson)))
        .map(([p, b]) => send(p, `body ${preview(b)}`, {}, b)),
    );
  } else if (method !== 'GET') {
    // A body where none is expected.
    mutations.push(
      fc
        .tuple(parts, fc.constantFrom(...BAD_BODIES, '{"extra":true}'))
        .map(([p, b]) => send(p, `unexpected body ${preview(b)}`, {}, b)),
    );
  }
  // Headers: content type, accept, content length, idempotency key.
  mutations.push(
    fc
      .tuple(parts, fc.constantFrom(...CONTENT_TYPES))
      .map(([p, type]) =>
        send(p, `content-type ${type}`, { 'content-type': type }, p.body === undefined ? '{}' : undefined),
      ),
    fc
      .tuple(parts, fc.constantFrom(...ACCEPTS))
      .map(([p, accept]) => send(p, `accept ${accept}`, { accept })),
    fc
      .tuple(parts, fc.constantFrom('0', '5', '99999999', '-1', 'abc'))
      .map(([p, length]) =>
        send(
          p,
          `content-length ${length}`,
          { 'content-length': length },
          p.body === undefined ? '{}' : undefined,
        ),
      ),
    fc
      .tuple(parts, fc.constantFrom('k'.repeat(300), ' ', 'a\tb', '中文', 'same-key-1'))
      .map(([p, key]) => send(p, `idempotency-key ${preview(key)}`, { 'idempotency-key': key })),
  );
  const targeted = [
    ...inUrl(parts).map((a) => a.map((t) => send({ ...t.v, params: t.params, query: t.query }, t.label))),
    ...(body
      ? fieldsOf(body.schema)
          .filter((k) => leaf(schemasAt(body.schema, [k])))
          .map((k) =>
            parts.map((p) => {
              const v = isObject(p.body) ? p.body : {};
              return send(
                { ...p, body: { ...v, [k]: poisoned(v[k], schemasAt(body.schema, [k])) } },
                `targeted body/${k}`,
              );
            }),
          )
      : []),
  ];
  return { targeted, random: fc.oneof({ arbitrary: mutations[0]!, weight: 3 }, ...mutations.slice(1)) };
}

type InUrl = <T>(
  b: fc.Arbitrary<T & { params: Record<string, unknown>; query: Record<string, unknown> }>,
) => fc.Arbitrary<{ v: T; label: string; params: Record<string, unknown>; query: Record<string, unknown> }>[];

function multipartRequests(
  op: Operation,
  method: string,
  schema: Schema,
  base: fc.Arbitrary<{ params: Record<string, unknown>; query: Record<string, unknown> }>,
  ctx: ValueContext,
  inUrl: InUrl,
): OperationCases {
  const props = (schema.properties as Record<string, Schema>) ?? {};
  const fileNames = Object.entries(props)
    .filter(([, s]) => fileField(s))
    .map(([n]) => n);
  const textNames = Object.keys(props).filter((n) => !fileNames.includes(n));
  if (!fileNames.length) throw new Unsupported(`${method} ${op.path}: a multipart form without a file field`);
  const form = fc.tuple(base, validForm(schema, ctx));
  const send = (
    b: { params: Record<string, unknown>; query: Record<string, unknown> },
    label: string,
    payload: Buffer,
    type = `${MULTIPART}; boundary=${BOUNDARY}`,
  ): FuzzRequest => ({
    label,
    method,
    url: buildUrl(op, b.params, b.query),
    headers: { 'content-type': type },
    payload,
  });
  const encode = (f: { fields: Record<string, unknown>; files: Record<string, Buffer[]> }) =>
    encodeMultipart(formParts(f.fields, f.files));

  const mutations: fc.Arbitrary<FuzzRequest>[] = [form.map(([b, f]) => send(b, 'valid form', encode(f)))];
  if (textNames.length) {
    mutations.push(
      form.chain(([b, f]) =>
        fc.tuple(fc.constantFrom(...textNames), fc.integer({ min: 0, max: 3 })).chain(([name, how]) => {
          if (how === 0) {
            const { [name]: _gone, ...rest } = f.fields;
            return fc.constant(send(b, `form without ${name}`, encode({ ...f, fields: rest })));
          }
          return broken([props[name]!]).map((v) =>
            send(b, `form ${name}=${preview(v)}`, encode({ ...f, fields: { ...f.fields, [name]: v } })),
          );
        }),
      ),
      // A file where a text field belongs.
      form.chain(([b, f]) =>
        fc.constantFrom(...textNames).map((name) => {
          const { [name]: _gone, ...rest } = f.fields;
          return send(
            b,
            `file in field ${name}`,
            encode({ fields: rest, files: { ...f.files, [name]: [PNG] } }),
          );
        }),
      ),
    );
  }
  mutations.push(
    // A text field where a file belongs.
    form.chain(([b, f]) =>
      fc.constantFrom(...fileNames).map((name) => {
        const { [name]: _gone, ...rest } = f.files;
        return send(
          b,
          `text in file field ${name}`,
          encode({ fields: { ...f.fields, [name]: 'not a file' }, files: rest }),
        );
      }),
    ),
    // Bad files: wrong magic bytes, empty, a lying type, too many, over the size limit.
    form.chain(([b, f]) =>
      fc
        .tuple(
          fc.constantFrom(...fileNames),
          fc.constantFrom(
            ['text', [Buffer.from('hello, this is not an image')]],
            ['empty', [Buffer.alloc(0)]],
            ['truncated png', [PNG.subarray(0, 6)]],
            ['html', [Buffer.from('<html><script>alert(1)</script></html>')]],
            ['gif', [Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1')]],
            ['21 files', Array.from({ length: 21 }, () => PNG)],
            ['10 MB + 1', [OVERSIZED_FILE]],
          ),
        )
        .map(([name, [what, list]]) =>
          send(b, `file ${name}: ${what}`, encode({ ...f, files: { ...f.files, [name]: list as Buffer[] } })),
        ),
    ),
    // The body itself broken: truncated, empty, no boundary, too many parts, a huge field, odd names.
    form.chain(([b, f]) => {
      const whole = encode(f);
      return fc
        .constantFrom<[string, Buffer, string?]>(
          ['truncated', whole.subarray(0, Math.floor(whole.length / 2))],
          ['cut before the end', whole.subarray(0, whole.length - 10)],
          ['empty', Buffer.alloc(0)],
          ['no boundary', whole, MULTIPART],
          ['another boundary', whole, `${MULTIPART}; boundary=other`],
          ['json', Buffer.from('{"a":1}'), JSON_TYPE],
          [
            '250 parts',
            encodeMultipart(Array.from({ length: 250 }, (_, i) => ({ name: `f${i}`, value: 'x' }))),
          ],
          [
            'a 70 KB field',
            encodeMultipart([{ name: textNames[0] ?? 'note', value: 'x'.repeat(70 * 1024) }]),
          ],
          [
            '__proto__ field',
            encodeMultipart([
              { name: '__proto__', value: 'x' },
              { name: 'constructor', value: 'y' },
            ]),
          ],
          [
            'odd file name',
            encodeMultipart([
              { name: fileNames[0]!, filename: '../../etc/passwd\u0000.png', type: 'image/png', data: PNG },
            ]),
          ],
          ['garbage', Buffer.from(`--${BOUNDARY}\r\nnot a header\r\n\r\n--${BOUNDARY}--`)],
        )
        .map(([what, payload, type]) => send(b, `multipart ${what}`, payload, type));
    }),
  );
  const targeted = [
    ...inUrl(form.map(([b, f]) => ({ ...b, f }))).map((a) =>
      a.map((t) => send({ params: t.params, query: t.query }, t.label, encode(t.v.f))),
    ),
    ...textNames.map((name) =>
      form.map(([b, f]) =>
        send(
          b,
          `targeted form ${name}`,
          encode({ ...f, fields: { ...f.fields, [name]: poisoned(f.fields[name], [props[name]!]) } }),
        ),
      ),
    ),
  ];
  return { targeted, random: fc.oneof({ arbitrary: mutations[0]!, weight: 3 }, ...mutations.slice(1)) };
}

function urlencodedRequests(
  op: Operation,
  method: string,
  schema: Schema,
  base: fc.Arbitrary<{ params: Record<string, unknown>; query: Record<string, unknown> }>,
  ctx: ValueContext,
  inUrl: InUrl,
): OperationCases {
  const props = (schema.properties as Record<string, Schema>) ?? {};
  const names = Object.keys(props);
  const form = fc.tuple(base, valid(schema, ctx) as fc.Arbitrary<Record<string, unknown>>);
  const encode = (fields: Record<string, unknown>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(fields))
      for (const one of Array.isArray(v) ? v : [v]) qs.append(k, text(one));
    return qs.toString();
  };
  const send = (
    b: { params: Record<string, unknown>; query: Record<string, unknown> },
    label: string,
    payload: string,
    type = URLENCODED,
  ): FuzzRequest => ({
    label,
    method,
    url: buildUrl(op, b.params, b.query),
    headers: { 'content-type': type },
    payload,
  });
  const targeted = [
    ...inUrl(form.map(([b, f]) => ({ ...b, f }))).map((a) =>
      a.map((t) => send({ params: t.params, query: t.query }, t.label, encode(t.v.f))),
    ),
    ...names
      .filter((name) => leaf([props[name]!]))
      .map((name) =>
        form.map(([b, f]) =>
          send(b, `targeted form ${name}`, encode({ ...f, [name]: poisoned(f[name], [props[name]!]) })),
        ),
      ),
  ];
  const random = fc.oneof(
    { arbitrary: form.map(([b, f]) => send(b, 'valid form', encode(f))), weight: 3 },
    form.chain(([b, f]) =>
      fc.tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 3 })).chain(([name, how]) => {
        if (how === 0) {
          const { [name]: _gone, ...rest } = f;
          return fc.constant(send(b, `form without ${name}`, encode(rest)));
        }
        return broken([props[name]!]).map((v) =>
          send(b, `form ${name}=${preview(v)}`, encode({ ...f, [name]: v })),
        );
      }),
    ),
    form.chain(([b, f]) =>
      fc
        .constantFrom(
          'attribute[a\u0000b]',
          'attribute[x]',
          'attribute[x][]',
          '__proto__',
          'extra',
          'a\u0000',
        )
        .chain((k) =>
          broken([{ type: 'string' }]).map((v) =>
            send(b, `form ${preview(k)}=${preview(v)}`, encode({ ...f, [k]: v })),
          ),
        ),
    ),
    form.chain(([b, f]) =>
      fc
        .constantFrom<[string, string, string?]>(
          ['%zz', '%zz=%zz&a=%E0%A4%A'],
          ['empty', ''],
          ['huge', `description=${'x'.repeat(MB + 10)}`],
          ['json', toJson(f), JSON_TYPE],
          ['bad json', '{"a":', JSON_TYPE],
          ['text', encode(f), 'text/plain'],
          ['many keys', Array.from({ length: 5000 }, (_, i) => `k${i}=v`).join('&')],
        )
        .map(([what, payload, type]) => send(b, `form ${what}`, payload, type)),
    ),
  );
  return { targeted, random };
}

function preview(v: unknown): string {
  const s = v instanceof Raw ? v.text : typeof v === 'string' ? v : toJson(v);
  const t = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);
  return t;
}
