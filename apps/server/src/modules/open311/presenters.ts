import {
  CASE_OPEN311_STATUS,
  type CaseStatus,
  maskName,
  maskPhone,
  type Open311Key,
  type Open311RequestInfo,
} from '@linli/contracts';
import { STATUS_TITLES } from '../cases/workflow';
import type { FeedRow } from './queries';
import type { Open311KeyRow, Open311RequestRow } from './schema';

/**
 * GeoReport v2 documents and their two serialisations. A document is a root element holding a
 * list of items (`<services><service>…`); JSON drops the root and the item names and is the bare
 * array (the spec's "Spark convention"). Values keep the spec's element names and order.
 */

export type Format = 'json' | 'xml';
export const FORMATS: readonly Format[] = ['json', 'xml'];

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

type Scalar = string | number | boolean | null;
/** A nested list: `{ attributes: list('attribute', […]) }` → `<attributes><attribute>…`. */
export interface XmlList {
  list: string;
  items: Item[];
}
export type Value = Scalar | XmlList;
export type Item = { [key: string]: Value };

export interface Document {
  root: string;
  item: string;
  items: Item[];
  /** A single object in JSON instead of an array (the service definition). */
  single?: boolean;
}

export const list = (name: string, items: Item[]): XmlList => ({ list: name, items });
const isList = (v: Value): v is XmlList => typeof v === 'object' && v !== null;

// Characters XML 1.0 cannot carry at all (not even escaped).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must go
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function xmlItem(name: string, item: Item, indent: string): string {
  const inner = Object.entries(item)
    .map(([k, v]) => xmlValue(k, v, `${indent}  `))
    .join('\n');
  return `${indent}<${name}>\n${inner}\n${indent}</${name}>`;
}

function xmlValue(name: string, v: Value, indent: string): string {
  if (isList(v)) {
    if (v.items.length === 0) return `${indent}<${name}></${name}>`;
    return `${indent}<${name}>\n${v.items.map((i) => xmlItem(v.list, i, `${indent}  `)).join('\n')}\n${indent}</${name}>`;
  }
  return `${indent}<${name}>${v === null ? '' : escapeXml(String(v))}</${name}>`;
}

function jsonValue(v: Value): unknown {
  if (isList(v)) return v.items.map(jsonItem);
  return v;
}

function jsonItem(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, jsonValue(v)]));
}

/** The document as XML (with the declaration) or JSON. */
export function serialise(doc: Document, format: Format): string {
  if (format === 'json') {
    return JSON.stringify(doc.single ? jsonItem(doc.items[0] ?? {}) : doc.items.map(jsonItem));
  }
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (doc.single) return `${head}${xmlItem(doc.root, doc.items[0] ?? {}, '')}\n`;
  if (doc.items.length === 0) return `${head}<${doc.root}></${doc.root}>\n`;
  return `${head}<${doc.root}>\n${doc.items.map((i) => xmlItem(doc.item, i, '  ')).join('\n')}\n</${doc.root}>\n`;
}

/** `<errors><error><code>…</code><description>…</description></error></errors>`. */
export function errorsDocument(errors: { code: number; description: string }[]): Document {
  return {
    root: 'errors',
    item: 'error',
    items: errors.map((e) => ({ code: e.code, description: e.description })),
  };
}

const BEIJING_MS = 8 * 3_600_000;

/** W3C date-time with the Beijing offset: 2026-11-27T09:30:00+08:00. */
export function w3(d: Date): string;
export function w3(d: Date | null): string | null;
export function w3(d: Date | null): string | null {
  if (!d) return null;
  return `${new Date(d.getTime() + BEIJING_MS).toISOString().slice(0, 19)}+08:00`;
}

// Services.

export interface ServiceView {
  code: string;
  name: string;
  group: string | null;
}

export function serviceItem(s: ServiceView): Item {
  return {
    service_code: s.code,
    service_name: s.name,
    description: s.group ? `${s.group}：${s.name}` : s.name,
    metadata: false,
    type: 'realtime',
    keywords: s.group ? `${s.name}, ${s.group}` : s.name,
    group: s.group,
  };
}

export const servicesDocument = (services: ServiceView[]): Document => ({
  root: 'services',
  item: 'service',
  items: services.map(serviceItem),
});

/** No category asks for more than the standard fields, so every definition has no attributes. */
export const serviceDefinitionDocument = (code: string): Document => ({
  root: 'service_definition',
  item: 'service_definition',
  single: true,
  items: [{ service_code: code, attributes: list('attribute', []) }],
});

// Requests.

/** About 100 m, as the community board shows residents' reports: never the doorstep. */
const coarse = (v: number) => Math.round(v * 1000) / 1000;

export function requestItem(row: FeedRow, agency: string | null): Item {
  const { c } = row;
  const status = CASE_OPEN311_STATUS[c.status as CaseStatus];
  // A partner's own report comes back as sent; residents' reports as the public board shows them.
  const partner = c.source === 'open311';
  const closed = status === 'closed';
  return {
    service_request_id: c.number,
    status,
    status_notes: STATUS_TITLES[c.status as CaseStatus] ?? null,
    service_name: row.categoryName ?? null,
    service_code: c.categoryCode,
    description: row.o311?.description ?? c.description,
    agency_responsible: agency,
    service_notice: null,
    requested_datetime: w3(c.createdAt),
    // "For requests with status=closed, this will be the date the request was closed."
    updated_datetime: w3(closed ? (c.closedAt ?? c.updatedAt) : c.updatedAt),
    expected_datetime: closed ? null : w3(c.dueAt),
    address: partner ? c.address : null,
    address_id: row.o311?.addressId ?? null,
    zipcode: null,
    lat: c.lat === null ? null : partner ? c.lat : coarse(c.lat),
    long: c.lng === null ? null : partner ? c.lng : coarse(c.lng),
    media_url: row.o311?.mediaUrl ?? null,
  };
}

export const requestsDocument = (items: Item[]): Document => ({
  root: 'service_requests',
  item: 'request',
  items,
});

export function createdDocument(r: {
  serviceRequestId: string | null;
  token: string | null;
  notice: string;
  accountId: string | null;
}): Document {
  // "service_request_id: This should not be returned if token is returned" (and the reverse).
  const item: Item = r.token ? { token: r.token } : { service_request_id: r.serviceRequestId };
  item.service_notice = r.notice;
  item.account_id = r.accountId;
  return requestsDocument([item]);
}

export const tokenDocument = (serviceRequestId: string, token: string): Document =>
  requestsDocument([{ service_request_id: serviceRequestId, token }]);

// mySociety's service request updates.

const STEP_TITLES: Record<string, string> = {
  register: '已立案',
  not_register: '不予立案',
  dispatch: '已派遣',
  accept: '已签收',
  start: '开始处置',
  handle: '已处置，待核查',
  verify_pass: '核查通过，已结案',
  rate: '已评价',
  reopen: '案件重办',
};

export function updateItem(
  u: { id: string; step: string; toStatus: string; note: string | null; at: Date; number: string },
  mediaUrl: string | null,
): Item {
  const title = STEP_TITLES[u.step] ?? STATUS_TITLES[u.toStatus as CaseStatus] ?? u.step;
  return {
    update_id: u.id,
    service_request_id: u.number,
    status: CASE_OPEN311_STATUS[u.toStatus as CaseStatus] ?? 'open',
    updated_datetime: w3(u.at),
    description: u.note ? `${title}：${u.note}` : title,
    media_url: mediaUrl ?? '',
  };
}

export const updatesDocument = (items: Item[]): Document => ({
  root: 'service_request_updates',
  item: 'request_update',
  items,
});

// Service discovery.

export function discoveryDocument(baseUrl: string, changeset: string): Item {
  return {
    changeset,
    contact: '罗江区城社共治平台（邻里+）：请联系区级管理员。',
    key_service: '合作应用的 api_key 由区级管理员在工作台签发（POST /api/v1/open311-keys）。',
    endpoints: list('endpoint', [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: baseUrl,
        changeset,
        type: 'production',
        formats: list('format', []),
      },
    ]),
  };
}

/** The discovery document: `formats` is a list of bare strings, which the item lists cannot say. */
export function serialiseDiscovery(d: Item, format: Format): string {
  const formats = ['text/xml', 'application/json'];
  const endpoint = (d.endpoints as XmlList).items[0]!;
  if (format === 'json') {
    const { endpoints: _e, ...rest } = d;
    return JSON.stringify({ ...rest, endpoints: [{ ...endpoint, formats }] });
  }
  const line = (k: string, v: Value, indent: string) => `${indent}<${k}>${escapeXml(String(v ?? ''))}</${k}>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<discovery>',
    line('changeset', d.changeset!, '  '),
    line('contact', d.contact!, '  '),
    line('key_service', d.key_service!, '  '),
    '  <endpoints>',
    '    <endpoint>',
    ...['specification', 'url', 'changeset', 'type'].map((k) => line(k, endpoint[k]!, '      ')),
    '      <formats>',
    ...formats.map((f) => line('format', f, '        ')),
    '      </formats>',
    '    </endpoint>',
    '  </endpoints>',
    '</discovery>',
    '',
  ].join('\n');
}

// The admin side (contracts DTOs).

export function presentKey(k: Open311KeyRow, createdByName: string | null, requests: number): Open311Key {
  return {
    id: k.id,
    partnerName: k.partnerName,
    keyPrefix: k.keyPrefix,
    batch: k.batch,
    createdBy: k.createdBy ? { id: k.createdBy, name: createdByName ?? '' } : null,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    requests,
  };
}

/** Mask an e-mail address: z***@example.com. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.indexOf('@');
  if (at <= 0) return '*'.repeat(email.length);
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** The submitter's contact as staff see it: in full with pii.read over the case's unit, else masked. */
export function presentRequestInfo(
  r: Open311RequestRow,
  v: { number: string; partnerName: string; full: boolean },
): Open311RequestInfo {
  // Chinese order: family name first.
  const name = [r.lastName, r.firstName].filter(Boolean).join('') || null;
  return {
    caseId: r.caseId,
    serviceRequestId: v.number,
    partnerName: v.partnerName,
    jurisdictionId: r.jurisdictionId,
    contact: {
      name: v.full ? name : maskName(name),
      phone: v.full ? r.phone : maskPhone(r.phone),
      email: v.full ? r.email : maskEmail(r.email),
      accountId: r.accountId,
      deviceId: r.deviceId,
    },
    contactMasked: !v.full,
    mediaUrl: r.mediaUrl,
    addressId: r.addressId,
    attributes: r.attributes,
    createdAt: r.createdAt.toISOString(),
  };
}
