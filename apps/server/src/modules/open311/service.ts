import { createHash, randomBytes } from 'node:crypto';
import {
  CASE_OPEN311_STATUS,
  CASE_STATUSES,
  type CaseStatus,
  type Open311Key,
  type Open311KeyCreate,
  type Open311KeyIssued,
  type Open311RequestInfo,
} from '@linli/contracts';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import { type RequestContext, systemContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, can } from '../../core/permissions';
import { getCategories } from '../cases/admin-service';
import { getCase, reportCase } from '../cases/service';
import { accountDisplayNames, defaultDistrict, findOrgUnit } from '../identity/lookups';
import {
  type Item,
  presentKey,
  presentRequestInfo,
  requestItem,
  type ServiceView,
  updateItem,
} from './presenters';
import {
  feedCases,
  feedUpdates,
  findKey,
  findKeyByHash,
  insertKey,
  insertRequest,
  keyRequestCount,
  listKeys,
  requestByToken,
  requestOfCase,
  revokeKey,
  touchKey,
} from './queries';
import { type Open311KeyRow, open311Keys } from './schema';

/** What the Open311 services need from the app (the same as the cases module's). */
export interface Open311Deps {
  db: Db;
  clock: Clock;
  dataDir: string;
}

/** One GeoReport error: `code` is the HTTP status unless something more specific helps. */
export interface Open311ErrorItem {
  code: number;
  description: string;
}

/** What Open311 routes throw: answered in the spec's error format (`<errors><error>…`). */
export class Open311Failure extends Error {
  constructor(
    readonly status: number,
    readonly errors: Open311ErrorItem[],
  ) {
    super(errors.map((e) => e.description).join(' '));
    this.name = 'Open311Failure';
  }
}

const fail = (status: number, description: string) =>
  new Open311Failure(status, [{ code: status, description }]);

/** "Default query limit is a span of 90 days or first 1000 requests returned, whichever is smallest." */
export const WINDOW_DAYS = 90;
export const MAX_RESULTS = 1000;
const DAY_MS = 86_400_000;
/** Open311 allows 4,000 characters; a case keeps 1,000 (the rest stays with the Open311 request). */
export const MAX_DESCRIPTION = 4000;
const CASE_DESCRIPTION = 1000;

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

// Dates.

const W3 =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * A W3C date-time (http://www.w3.org/TR/NOTE-datetime): a time must carry its zone; a bare date
 * (or year-month, or year) means Beijing midnight, the jurisdiction's own day. A `+` that arrived
 * unencoded in a query string reads as a space: taken as the `+` it was.
 */
export function parseW3(raw: string): Date | null {
  const text = raw.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  const m = W3.exec(text);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h, mi, s = '00', frac = '', zone] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null;
  const iso =
    h === undefined
      ? `${y}-${mo}-${d}T00:00:00+08:00`
      : `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.slice(0, 3)}` : ''}${zone}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t);
}

/**
 * The window of a query: both ends given (at most 90 days apart), one end (90 days from it), or
 * none (the most recent 90 days).
 */
export function windowOf(q: { start_date?: string; end_date?: string }, now: Date): { from: Date; to: Date } {
  const errors: Open311ErrorItem[] = [];
  const read = (name: 'start_date' | 'end_date') => {
    const raw = q[name]?.trim();
    if (!raw) return null;
    const d = parseW3(raw);
    if (!d)
      errors.push({ code: 400, description: `${name} must use the w3 format, eg 2010-01-01T00:00:00Z.` });
    return d;
  };
  const start = read('start_date');
  const end = read('end_date');
  if (errors.length) throw new Open311Failure(400, errors);
  const span = WINDOW_DAYS * DAY_MS;
  if (start && end) {
    if (end < start) throw fail(400, 'end_date is earlier than start_date.');
    if (end.getTime() - start.getTime() > span)
      throw fail(400, `start_date and end_date may not span more than ${WINDOW_DAYS} days.`);
    return { from: start, to: end };
  }
  if (start) return { from: start, to: new Date(start.getTime() + span) };
  if (end) return { from: new Date(end.getTime() - span), to: end };
  return { from: new Date(now.getTime() - span), to: now };
}

const commaList = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

// Services.

async function districtOf(db: Executor): Promise<string> {
  return defaultDistrict(db);
}

/** The service list: every enabled sub-category, grouped by its major class. */
export async function listServices(deps: Open311Deps): Promise<ServiceView[]> {
  const rows = await getCategories(deps, systemContext());
  const majors = new Map(rows.filter((r) => r.level === 'major').map((r) => [r.code, r.name]));
  return rows
    .filter((r) => r.level === 'sub')
    .map((r) => ({
      code: r.code,
      name: r.name,
      group: r.parentCode ? (majors.get(r.parentCode) ?? null) : null,
    }));
}

/** One service, or 404 in the Open311 format. */
export async function findService(deps: Open311Deps, code: string): Promise<ServiceView> {
  const service = (await listServices(deps)).find((s) => s.code === code);
  if (!service) throw fail(404, `service_code ${code} was not found.`);
  return service;
}

// API keys on the Open311 side.

/**
 * The partner app behind an api_key: 403 (in the Open311 format) when missing, unknown or revoked.
 * A key another district issued is not a key here (this endpoint serves `districtId`): it reads
 * exactly like an unknown one.
 */
export async function authenticateKey(
  deps: Open311Deps,
  apiKey: string | undefined,
  districtId: string,
): Promise<Open311KeyRow> {
  const key = apiKey?.trim();
  if (!key) throw fail(403, "api_key was not provided -- can't proceed with create_request.");
  const row = await findKeyByHash(deps.db, hashKey(key));
  if (!row || row.districtId !== districtId)
    throw fail(403, "Invalid api_key received -- can't proceed with create_request.");
  if (row.revokedAt) throw fail(403, "This api_key has been revoked -- can't proceed with create_request.");
  return row;
}

// POST requests.

/** A form body: plain fields (first value wins) and `attribute[code]` / `attribute[code][]` values. */
export interface Open311Form {
  fields: Record<string, string>;
  attributes: Record<string, string | string[]>;
}

const FIELD_MAX: Record<string, number> = {
  email: 200,
  device_id: 200,
  account_id: 200,
  first_name: 100,
  last_name: 100,
  phone: 50,
  media_url: 2000,
  address_id: 200,
  address_string: 200,
  jurisdiction_id: 200,
};

export interface Created {
  serviceRequestId: string;
  token: string;
  batch: boolean;
  notice: string;
  accountId: string | null;
}

/**
 * POST requests: the partner's key (403), the required fields (400, every problem at once), the
 * service (404), then the cases module files the case (placement, routing, number, history, audit)
 * with this request's row in the same transaction. Its refusals come back in the Open311 format.
 */
export async function createRequest(
  deps: Open311Deps,
  ctx: RequestContext,
  form: Open311Form,
): Promise<Created> {
  const f = form.fields;
  const value = (name: string) => {
    const v = f[name]?.trim();
    return v ? v : undefined;
  };
  const key = await authenticateKey(deps, f.api_key, await districtOf(deps.db));
  const errors: Open311ErrorItem[] = [];
  const bad = (description: string) => errors.push({ code: 400, description });

  const serviceCode = value('service_code');
  if (!serviceCode) bad('service_code was not provided.');
  const latRaw = value('lat');
  const longRaw = value('long');
  let lat: number | undefined;
  let long: number | undefined;
  if ((latRaw === undefined) !== (longRaw === undefined)) {
    bad('lat and long both need to be sent.');
  } else if (latRaw !== undefined && longRaw !== undefined) {
    lat = Number(latRaw);
    long = Number(longRaw);
    if (
      !Number.isFinite(lat) ||
      lat < -90 ||
      lat > 90 ||
      !Number.isFinite(long) ||
      long < -180 ||
      long > 180
    ) {
      bad('lat and long must be WGS84 degrees (lat -90 to 90, long -180 to 180).');
      lat = undefined;
      long = undefined;
    }
  }
  const addressString = value('address_string');
  const addressId = value('address_id');
  if (latRaw === undefined && longRaw === undefined && !addressString && !addressId)
    bad('A full location parameter must be submitted: lat & long, address_string or address_id.');
  const description = value('description');
  if (description && description.length > MAX_DESCRIPTION)
    bad(`description is limited to ${MAX_DESCRIPTION} characters.`);
  for (const [name, max] of Object.entries(FIELD_MAX)) {
    const v = value(name);
    if (v && v.length > max) bad(`${name} is limited to ${max} characters.`);
  }
  const mediaUrl = value('media_url');
  if (mediaUrl && !/^https?:\/\/\S+$/i.test(mediaUrl)) bad('media_url must be an http or https URL.');
  if (errors.length) throw new Open311Failure(400, errors);

  const service = await findService(deps, serviceCode!);
  const districtId = await districtOf(deps.db);
  const text = description ?? service.name;
  const caseDescription =
    text.length > CASE_DESCRIPTION ? `${text.slice(0, CASE_DESCRIPTION - 1)}…` : text.padEnd(2, '。');
  const fields: Record<string, string> = { categoryCode: service.code, description: caseDescription };
  if (lat !== undefined && long !== undefined) {
    fields.lat = String(lat);
    fields.lng = String(long);
  }
  // Without a master address repository, an address_id is the best text we have to place it by.
  const address = addressString ?? (lat === undefined ? addressId : undefined);
  if (address) fields.address = address;

  const token = randomBytes(16).toString('base64url');
  let receipt: Awaited<ReturnType<typeof reportCase>>['receipt'];
  try {
    ({ receipt } = await reportCase(deps, ctx, { fields, files: [] }, undefined, {
      source: 'open311',
      districtId,
      auditNote: { open311Key: key.id, partner: key.partnerName },
      inTransaction: async (tx, c) => {
        await insertRequest(tx, {
          districtId,
          caseId: c.id,
          keyId: key.id,
          token,
          jurisdictionId: value('jurisdiction_id') ?? null,
          email: value('email') ?? null,
          phone: value('phone') ?? null,
          firstName: value('first_name') ?? null,
          lastName: value('last_name') ?? null,
          accountId: value('account_id') ?? null,
          deviceId: value('device_id') ?? null,
          description: description ?? null,
          mediaUrl: mediaUrl ?? null,
          addressId: addressId ?? null,
          attributes: form.attributes,
        });
      },
    }));
  } catch (err) {
    throw asOpen311(err);
  }
  await touchKey(deps.db, key.id, deps.clock.now());
  const handler = receipt.handler ? `（${receipt.handler.name}）` : '';
  return {
    serviceRequestId: receipt.number,
    token,
    batch: key.batch,
    notice: `已受理，编号 ${receipt.number}，由${receipt.orgUnit.name}${handler}跟进处理。`,
    accountId: value('account_id') ?? null,
  };
}

/** The cases module's refusals in GeoReport terms: 404 stays, every other client error is 400. */
export function asOpen311(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  if (err.status >= 500) return err;
  const status = err.status === 404 ? 404 : err.status === 401 || err.status === 403 ? 403 : 400;
  const fieldErrors = (err.extra.errors ?? []).map((e) => ({
    code: status,
    description: `${e.field.replace(/^body\//, '').replace(/^lng$/, 'long')} ${e.message}.`,
  }));
  return new Open311Failure(status, [{ code: status, description: err.message }, ...fieldErrors]);
}

// GET requests, one request, tokens, updates.

const OURS_BY_OPEN311: Record<'open' | 'closed', CaseStatus[]> = {
  open: CASE_STATUSES.filter((s) => CASE_OPEN311_STATUS[s] === 'open'),
  closed: CASE_STATUSES.filter((s) => CASE_OPEN311_STATUS[s] === 'closed'),
};

export interface RequestsQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
}

async function itemsOf(deps: Open311Deps, rows: Awaited<ReturnType<typeof feedCases>>): Promise<Item[]> {
  const people = await accountDisplayNames(
    deps.db,
    rows.flatMap((r) => (r.c.handlerKind === 'person' && r.c.handlerId ? [r.c.handlerId] : [])),
  );
  return rows.map((r) => {
    const agency =
      r.c.handlerKind === 'squad'
        ? r.squadName
        : r.c.handlerKind === 'department'
          ? r.departmentName
          : r.c.handlerKind === 'person' && r.c.handlerId
            ? (people.get(r.c.handlerId) ?? null)
            : null;
    return requestItem(r, agency ?? null);
  });
}

/**
 * GET requests: `service_request_id` (comma list) overrides every other argument; otherwise
 * `service_code` and `status` (comma lists) within the date window; newest first, at most 1,000.
 */
export async function findRequests(deps: Open311Deps, q: RequestsQuery): Promise<Item[]> {
  const districtId = await districtOf(deps.db);
  const numbers = commaList(q.service_request_id);
  if (numbers.length) {
    const rows = await feedCases(deps.db, {
      districtId,
      numbers: numbers.slice(0, MAX_RESULTS),
      limit: MAX_RESULTS,
    });
    return itemsOf(deps, rows);
  }
  const statuses = commaList(q.status);
  const unknown = statuses.filter((s) => s !== 'open' && s !== 'closed');
  if (unknown.length) throw fail(400, `status must be open or closed (got ${unknown.join(', ')}).`);
  const window = windowOf(q, deps.clock.now());
  const rows = await feedCases(deps.db, {
    districtId,
    codes: commaList(q.service_code),
    statuses: statuses.flatMap((s) => OURS_BY_OPEN311[s as 'open' | 'closed']),
    from: window.from,
    to: window.to,
    limit: MAX_RESULTS,
  });
  return itemsOf(deps, rows);
}

/** GET requests/{service_request_id}: 404 when there is no such request (or it is not public). */
export async function findRequest(deps: Open311Deps, number: string): Promise<Item> {
  const districtId = await districtOf(deps.db);
  const rows = await feedCases(deps.db, { districtId, numbers: [number], limit: 1 });
  if (!rows.length) throw fail(404, `service_request_id ${number} was not found.`);
  return (await itemsOf(deps, rows))[0]!;
}

/** GET tokens/{token}. */
export async function findToken(deps: Open311Deps, token: string) {
  const row = await requestByToken(deps.db, await districtOf(deps.db), token);
  if (!row) throw fail(404, `token ${token} was not found.`);
  return { serviceRequestId: row.number, token: row.token };
}

/**
 * mySociety's GET servicerequestupdates: the public steps of the cases the feed shows, oldest
 * first, in the same window rules as GET requests, at most 1,000 (ask again from the last one).
 */
export async function findUpdates(
  deps: Open311Deps,
  q: { start_date?: string; end_date?: string },
  baseUrl: string,
): Promise<Item[]> {
  const window = windowOf(q, deps.clock.now());
  const rows = await feedUpdates(deps.db, {
    districtId: await districtOf(deps.db),
    from: window.from,
    to: window.to,
    limit: MAX_RESULTS,
  });
  // The photo is served to those who may see the case (staff, the reporter, followers).
  return rows.map((u) =>
    updateItem(u, u.photoId ? `${baseUrl}/api/v1/cases/${u.caseId}/photos/${u.photoId}` : null),
  );
}

// The admin side: issuing and revoking keys, and what staff see of a partner's request.

async function districtUnit(deps: Open311Deps, ctx: RequestContext) {
  const id = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const unit = await findOrgUnit(deps.db, id);
  if (!unit) throw AppError.notFound('district');
  return unit;
}

/** Every key of the district (open311.manage at the district). */
export async function listOpen311Keys(deps: Open311Deps, ctx: RequestContext): Promise<Open311Key[]> {
  const district = await districtUnit(deps, ctx);
  authorize(ctx.actor, 'open311.manage', { orgPath: district.path }, 'key');
  const rows = await listKeys(deps.db, district.id);
  const names = await accountDisplayNames(
    deps.db,
    rows.flatMap((r) => (r.k.createdBy ? [r.k.createdBy] : [])),
  );
  return rows.map((r) =>
    presentKey(r.k, r.k.createdBy ? (names.get(r.k.createdBy) ?? null) : null, Number(r.requests)),
  );
}

/** Issues a key to a partner app: the plain key is in this answer and nowhere else. */
export async function issueOpen311Key(
  deps: Open311Deps,
  ctx: RequestContext,
  input: Open311KeyCreate,
): Promise<Open311KeyIssued> {
  const district = await districtUnit(deps, ctx);
  authorize(ctx.actor, 'open311.manage', { orgPath: district.path }, 'key');
  const partnerName = input.partnerName.trim();
  if (partnerName.length < 2)
    throw AppError.validation([
      { field: 'body/partnerName', message: 'must have at least 2 characters', code: 'minLength' },
    ]);
  const key = `o311_${randomBytes(24).toString('base64url')}`;
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const k = await insertKey(tx, {
      districtId: district.id,
      partnerName,
      keyHash: hashKey(key),
      keyPrefix: key.slice(0, 9),
      batch: input.batch ?? false,
      createdBy: ctx.actor.accountId,
      createdAt: now,
      updatedAt: now,
    });
    await writeAudit(tx, ctx, {
      action: 'open311.key.issue',
      entityType: 'open311_key',
      entityId: k.id,
      orgUnitId: district.id,
      districtId: district.id,
      after: { partnerName, keyPrefix: k.keyPrefix, batch: k.batch },
    });
    return k;
  });
  const names = await accountDisplayNames(deps.db, row.createdBy ? [row.createdBy] : []);
  return { ...presentKey(row, row.createdBy ? (names.get(row.createdBy) ?? null) : null, 0), key };
}

/** Revokes a key: its partner's next POST is refused with 403. 409 when it is already revoked. */
export async function revokeOpen311Key(
  deps: Open311Deps,
  ctx: RequestContext,
  id: string,
): Promise<Open311Key> {
  const district = await districtUnit(deps, ctx);
  authorize(ctx.actor, 'open311.manage', { orgPath: district.path }, 'key');
  const before = await findKey(deps.db, id);
  if (!before || before.districtId !== district.id) throw AppError.notFound('key');
  if (before.revokedAt) throw AppError.conflict('conflict', 'This key is already revoked.');
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const k = await revokeKey(tx, id, ctx.actor.accountId, now);
    if (!k) throw AppError.conflict('conflict', 'This key is already revoked.');
    await writeAudit(tx, ctx, {
      action: 'open311.key.revoke',
      entityType: 'open311_key',
      entityId: id,
      orgUnitId: district.id,
      districtId: district.id,
      before: { revokedAt: null },
      after: { revokedAt: now },
      note: { partnerName: k.partnerName },
    });
    return k;
  });
  const names = await accountDisplayNames(deps.db, row.createdBy ? [row.createdBy] : []);
  return presentKey(
    row,
    row.createdBy ? (names.get(row.createdBy) ?? null) : null,
    await keyRequestCount(deps.db, id),
  );
}

/**
 * The partner and the submitter's contact of a case filed through Open311, for those who may see
 * the case (404 otherwise); in full with pii.read over its unit, masked without.
 */
export async function getRequestInfo(
  deps: Open311Deps,
  ctx: RequestContext,
  caseId: string,
): Promise<Open311RequestInfo> {
  const view = await getCase(deps, ctx, caseId);
  const found = await requestOfCase(deps.db, caseId);
  if (!found) throw AppError.notFound('Open311 request');
  return presentRequestInfo(found.r, {
    number: view.c.number,
    partnerName: found.partnerName,
    full: can(ctx.actor, 'pii.read', view.unit.path),
  });
}

// Demo data.

/** The demo partner app's key (README, demo accounts). */
export const DEMO_OPEN311_KEY = 'demo-open311-key';

/** Seeds the demo partner app with the key `demo-open311-key`; idempotent. */
export async function seedDemoOpen311(db: Db): Promise<void> {
  const districtId = await defaultDistrict(db);
  await db
    .insert(open311Keys)
    .values({
      districtId,
      partnerName: '邻里随手拍（演示合作应用）',
      keyHash: hashKey(DEMO_OPEN311_KEY),
      keyPrefix: DEMO_OPEN311_KEY.slice(0, 9),
    })
    .onConflictDoNothing();
}
