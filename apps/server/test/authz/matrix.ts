import type { Permission } from '@linli/contracts';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import type { Client } from '../harness';
import type { Caller, Rec, World } from './world';
import { covers, holdsAt, visible } from './world';

/**
 * The engine of the authorization matrix: for one operation of the OpenAPI document and every
 * caller of the world, it asks the operation's fixture for a request per target — the caller's
 * own record, one in their scope, a public one outside it, one they cannot see, a missing id —
 * sends it, and checks the answer against the declared `x-permission` and the scope rules.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One operation of the OpenAPI document. */
export interface Operation {
  key: string;
  method: Method;
  /** The OpenAPI path, `{param}` style. */
  path: string;
  permission: string;
}

/**
 * - `own`: a record that belongs to the caller (their case, their session);
 * - `same`: a record in the caller's scope they can see (staff: under their grant; residents and
 *   anonymous callers: a public one of their district);
 * - `public`: a record they can see that lies outside their scope (a published notice elsewhere);
 * - `other`: a record they cannot see — it must answer exactly like `missing`;
 * - `missing`: an id that names nothing.
 */
export type Target = 'own' | 'same' | 'public' | 'other' | 'missing';
export const TARGETS: readonly Target[] = ['missing', 'other', 'public', 'same', 'own'];

export interface Req {
  method: Method;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** Sent without the caller's cookies (Open311 partners authenticate by api_key). */
  anonymous?: boolean;
  /** Sent by another client of the same account (a second session, so the caller's own survives). */
  client?: Client;
}

export interface FixtureArgs {
  w: World;
  c: Caller;
  target: Target;
  /** The record the request is about (a stand-in with a missing id for `missing`); null for routes on none. */
  rec: Rec | null;
  op: Operation;
}

export interface Fixture {
  /** The kind of world record the path (or body) names; absent when the route acts on no record. */
  record?: string;
  /** Targets to try (default: all five with a record, `same` without). */
  targets?: readonly Target[];
  /** Chooses the record for a target (null: none; undefined: the default choice by visibility). */
  pick?: (x: { w: World; c: Caller; target: Target; candidates: Rec[] }) => Rec | null | undefined;
  request(x: FixtureArgs): Req | Promise<Req>;
  /**
   * Whether `c`, holding the declared permission, may do this to `rec` (a record it can see), or
   * at all when there is no record. Default: holds the declared permission over the record's
   * unit (anywhere for routes on no record); true for public, signed-in, resident and staff routes.
   */
  may?(c: Caller, rec: Rec | null, w: World): boolean;
  /** A record made for this caller and target, for steps that change or destroy what they act on. */
  fresh?(x: { w: World; c: Caller; target: Target; rec: Rec | null }): Promise<Rec | null>;
  /** Statuses besides 2xx that a permitted request may answer (default: 409 and 422 for writes). */
  alsoOk?: readonly number[];
  /** The stand-in for `missing` (default: the first record with made-up ids). */
  missing?: (template: Rec) => Rec;
  /** What a missing id answers (default 404, or the denial for a caller who may not act at all); 'any': whatever it is, the other scope must answer the same. */
  missingStatus?: number | 'any';
  /** Records the answer may name although the caller cannot open them (an audit trail names what happened in its scope). */
  names?: (c: Caller, r: Rec) => boolean;
  /** What a caller answers who holds the declared permission but may not do this (default 403). */
  deniedStatus?: number;
  /** After the caller's requests: e.g. sign the caller in again after signing out everywhere. */
  after?(x: { w: World; c: Caller }): Promise<void>;
}

export const MISSING_ID = '01930000-0000-7000-8000-00000000dead';

export interface Outcome {
  requests: number;
  /** Requests a caller was allowed to make (checked to succeed): an operation with none is untested. */
  allowed: number;
  /** Visible records that answered like a missing id instead of 403 (accepted; see README). */
  lenient: string[];
  violations: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the caller passes the route's declared permission (core/http.ts preHandler). */
export function holdsDeclared(c: Caller, permission: string): boolean {
  switch (permission) {
    case 'public':
      return true;
    case 'signed-in':
      return c.kind !== 'anonymous';
    case 'resident':
      return c.kind === 'resident';
    case 'staff':
      return c.kind === 'staff';
    default:
      return c.kind === 'staff' && c.perms.has(permission as Permission);
  }
}

function defaultMay(op: Operation, c: Caller, rec: Rec | null): boolean {
  if (['public', 'signed-in', 'resident', 'staff'].includes(op.permission)) return true;
  const p = op.permission as Permission;
  return rec ? holdsAt(c, p, rec.unit.path) : c.perms.has(p);
}

const refPath = (w: World, c: Caller) => c.unit?.path ?? w.units.A1.path;
const commonPrefix = (a: string, b: string) => {
  const x = a.split('/');
  const y = b.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
};
const districtOf = (w: World, c: Caller) => c.unit?.districtId ?? w.units.D1.districtId;

/** The record a target names for this caller, by the world's visibility rules; nearest first. */
export function pickRecord(w: World, c: Caller, target: Target, candidates: Rec[]): Rec | null {
  const near = (rs: Rec[]) =>
    [...rs].sort(
      (a, b) => commonPrefix(b.unit.path, refPath(w, c)) - commonPrefix(a.unit.path, refPath(w, c)),
    );
  const own = (r: Rec) => !!r.owner && r.owner === c.accountId;
  const inScope = (r: Rec) =>
    c.kind === 'staff' ? covers(c, r.unit.path) : r.unit.districtId === districtOf(w, c);
  switch (target) {
    case 'own':
      return candidates.find(own) ?? null;
    case 'same':
      return near(candidates.filter((r) => !own(r) && visible(c, r) && inScope(r)))[0] ?? null;
    case 'public':
      return near(candidates.filter((r) => !own(r) && visible(c, r) && !inScope(r)))[0] ?? null;
    case 'other':
      return near(candidates.filter((r) => !visible(c, r)))[0] ?? null;
    case 'missing':
      return null;
  }
}

/** A stand-in for a record that does not exist: its id, and every id it carries, made up. */
export function missingLike(template: Rec): Rec {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(template.data)) data[k] = UUID.test(v) ? MISSING_ID : v;
  return {
    ...template,
    id: UUID.test(template.id) ? MISSING_ID : `9${template.id}999`,
    data,
    tokens: [],
    label: 'missing',
  };
}

interface Answer {
  status: number;
  text: string;
  contentType: string;
}

/** The answer with the request's own ids and the request id taken out, for comparing two 404s. */
function normalised(a: Answer, ids: string[]): string {
  let body = a.text;
  try {
    const j = JSON.parse(body);
    if (j && typeof j === 'object' && !Array.isArray(j)) delete (j as Record<string, unknown>).instance;
    body = JSON.stringify(j);
  } catch {
    // not JSON: compare as text
  }
  for (const id of ids.filter(Boolean).sort((a, b) => b.length - a.length))
    body = body.split(id).join('<id>');
  return `${a.status} ${body}`;
}

/** A workbook's cells as text (every sheet, tab-separated rows), so exports are checked like JSON. */
async function sheetText(data: Buffer): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(data as unknown as ArrayBuffer);
  const lines: string[] = [];
  book.eachSheet((sheet) => {
    lines.push(`# ${sheet.name}`);
    sheet.eachRow((row) => {
      const cells = (row.values as unknown[])
        .slice(1)
        .map((v) => (v && typeof v === 'object' ? JSON.stringify(v) : String(v ?? '')));
      lines.push(cells.join('\t'));
    });
  });
  return lines.join('\n');
}

/** A zip's entries as text (name, then content), so a personal data export is scanned like JSON. */
function zipText(data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const parts: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            parts.push(`# ${entry.fileName}`, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(parts.join('\n')));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/** Runs one operation for every caller; answers the violations found and the requests sent. */
export async function runOperation(w: World, op: Operation, fixture: Fixture): Promise<Outcome> {
  const violations: string[] = [];
  /** Records the caller can see that answered like a missing id rather than 403 (allowed, reported). */
  const lenient: string[] = [];
  let requests = 0;
  let allowed = 0;
  const candidates = fixture.record ? w.of(fixture.record) : [];
  const targets = fixture.targets ?? (fixture.record ? TARGETS : (['same'] as const));

  for (const c of w.callers) {
    const declared = holdsDeclared(c, op.permission);
    let missing: { answer: Answer; ids: string[] } | null = null;
    for (const target of TARGETS) {
      if (!targets.includes(target)) continue;
      let rec: Rec | null = null;
      if (fixture.record) {
        if (target === 'missing') {
          const template = candidates[0];
          if (!template) {
            violations.push(`${c.name}: the world has no ${fixture.record} record`);
            continue;
          }
          rec = fixture.missing ? fixture.missing(template) : missingLike(template);
        } else {
          const picked = fixture.pick?.({ w, c, target, candidates });
          rec = picked === undefined ? pickRecord(w, c, target, candidates) : picked;
          if (!rec) continue;
        }
      }
      const may =
        declared &&
        target !== 'other' &&
        target !== 'missing' &&
        (fixture.may ?? ((cc, r) => defaultMay(op, cc, r)))(c, rec, w);
      let req: Req;
      let res: Awaited<ReturnType<typeof send>>;
      try {
        if (may && fixture.fresh && (target === 'same' || target === 'own' || !fixture.record)) {
          const made = await fixture.fresh({ w, c, target, rec });
          if (made) rec = made;
        }
        req = await fixture.request({ w, c, target, rec, op });
        res = await send(w, c, req);
      } catch (err) {
        violations.push(`${c.name} → ${target}: the fixture failed: ${(err as Error).message}`);
        continue;
      }
      requests++;
      const contentType = String(res.headers['content-type'] ?? '');
      const answer: Answer = {
        status: res.statusCode,
        text: contentType.includes('spreadsheetml')
          ? await sheetText(res.rawPayload)
          : contentType.includes('application/zip')
            ? await zipText(res.rawPayload)
            : res.body,
        contentType,
      };
      const where = `${c.name} → ${target}${rec ? ` (${rec.label})` : ''}: ${req.method} ${req.url}`;
      const fail = (why: string) =>
        violations.push(`${where}: ${why}; got ${answer.status} ${short(answer.text)}`);
      if (answer.status >= 500) {
        fail('5xx');
        continue;
      }
      if (!declared) {
        const want = c.kind === 'anonymous' ? 401 : (fixture.deniedStatus ?? 403);
        if (answer.status !== want) fail(`expected ${want}: the caller lacks ${op.permission}`);
        continue;
      }
      const ids = [rec?.id ?? '', ...Object.values(rec?.data ?? {})].filter((v) => v && v.length > 6);
      if (target === 'missing') {
        const want = fixture.missingStatus ?? 404;
        const denied = fixture.deniedStatus ?? 403;
        if (want !== 'any' && answer.status !== want && answer.status !== denied)
          fail(`expected ${want} (or ${denied}) for a missing id`);
        missing = { answer, ids };
        continue;
      }
      const asMissing = () => {
        if (!missing) {
          if (answer.status !== 404) fail('expected 404: the caller cannot see this record');
          return;
        }
        const a = normalised(answer, ids);
        const b = normalised(missing.answer, missing.ids);
        if (a !== b) fail(`expected the same answer as a missing id (${short(b)})`);
      };
      if (target === 'other') {
        asMissing();
        continue;
      }
      const ok =
        answer.status < 300 ||
        (fixture.alsoOk ?? (req.method === 'GET' ? [] : [409, 422])).includes(answer.status);
      if (may) {
        allowed++;
        if (!ok) fail('expected success: the caller may do this');
      } else if (!rec || visible(c, rec)) {
        const denied = fixture.deniedStatus ?? 403;
        const hiddenLikeMissing =
          !!rec &&
          !!missing &&
          answer.status >= 400 &&
          normalised(answer, ids) === normalised(missing.answer, missing.ids);
        if (answer.status !== denied && !hiddenLikeMissing)
          fail(`expected ${denied}: the caller may not do this`);
        if (answer.status !== denied && hiddenLikeMissing)
          lenient.push(`${c.name} → ${target} (${rec?.label})`);
      } else {
        asMissing();
      }
      if (answer.status < 300) scan(w, c, answer, fail, fixture.names);
    }
    if (fixture.after) await fixture.after({ w, c });
  }
  return { requests, allowed, violations, lenient };
}

/** A 2xx answer names no record the caller cannot see, and no one's full phone number they may not read. */
function scan(w: World, c: Caller, a: Answer, fail: (why: string) => void, names?: Fixture['names']) {
  const text = a.text;
  for (const r of w.recs) {
    if (visible(c, r) || names?.(c, r)) continue;
    for (const token of r.tokens) {
      if (token && text.includes(token)) {
        fail(`the answer names ${r.label} (${token}), which the caller cannot see`);
        break;
      }
    }
  }
  for (const p of w.people) {
    if (p.phone === c.phone || !text.includes(p.phone)) continue;
    if (holdsAt(c, 'pii.read', p.unit.path)) continue;
    fail(`the answer shows ${p.phone} unmasked`);
  }
}

async function send(w: World, c: Caller, req: Req) {
  const client = req.client ?? c.client;
  // Each caller is someone else, somewhere else: per-IP limits (exports, codes) count them apart.
  const remoteAddress = `10.0.${w.callers.indexOf(c) + 1}.1`;
  if (req.anonymous) {
    return w.app.inject({
      method: req.method,
      url: req.url,
      remoteAddress,
      headers: req.headers ?? {},
      ...(req.payload === undefined ? {} : { payload: req.payload as string }),
    });
  }
  return client.request({
    method: req.method,
    url: req.url,
    remoteAddress,
    headers: req.headers,
    ...(req.payload === undefined && req.method !== 'GET' && req.method !== 'DELETE'
      ? { payload: {} }
      : req.payload === undefined
        ? {}
        : { payload: req.payload }),
  });
}
