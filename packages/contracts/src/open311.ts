import { type Static, Type } from 'typebox';
import { FreeText, Id, IsoTime, Nullable } from './common';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at `/open311/v2`, plus mySociety's
 * `servicerequestupdates`. The GeoReport documents themselves are written by the server in the
 * spec's own element names (JSON and XML); the schemas below describe the JSON forms for the API
 * docs, and the admin routes that issue partner apps their API keys.
 */

/** A partner app's API key as admins see it; the key itself is shown once, when issued. */
export const Open311Key = Type.Object({
  id: Id,
  partnerName: Type.String(),
  /** The first characters of the key, to tell keys apart. */
  keyPrefix: Type.String(),
  /** POSTs with this key answer with a token (GeoReport `batch`) instead of the request id. */
  batch: Type.Boolean(),
  createdBy: Nullable(Type.Object({ id: Id, name: Type.String() })),
  createdAt: IsoTime,
  revokedAt: Nullable(IsoTime),
  lastUsedAt: Nullable(IsoTime),
  /** Requests filed with this key. */
  requests: Type.Integer({ minimum: 0 }),
});
export type Open311Key = Static<typeof Open311Key>;

export const Open311KeyList = Type.Object({ items: Type.Array(Open311Key) });
export type Open311KeyList = Static<typeof Open311KeyList>;

export const Open311KeyCreate = Type.Object(
  {
    partnerName: Type.String({ minLength: 2, maxLength: 100 }),
    batch: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type Open311KeyCreate = Static<typeof Open311KeyCreate>;

/** The answer to issuing a key: the plain key, shown this once and never again. */
export const Open311KeyIssued = Type.Intersect([Open311Key, Type.Object({ key: Type.String() })]);
export type Open311KeyIssued = Static<typeof Open311KeyIssued>;

/** What staff see of a case filed through Open311: the partner and the submitter's contact. */
export const Open311RequestInfo = Type.Object({
  caseId: Id,
  serviceRequestId: Type.String(),
  partnerName: Type.String(),
  jurisdictionId: Nullable(Type.String()),
  /** Masked unless the caller holds pii.read over the case's unit. */
  contact: Type.Object({
    name: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    accountId: Nullable(Type.String()),
    deviceId: Nullable(Type.String()),
  }),
  contactMasked: Type.Boolean(),
  mediaUrl: Nullable(Type.String()),
  addressId: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  createdAt: IsoTime,
});
export type Open311RequestInfo = Static<typeof Open311RequestInfo>;

// The GeoReport v2 documents (JSON form; XML uses the same names with a root element each).

const Str = Nullable(Type.String());

export const Open311Error = Type.Object({ code: Type.Integer(), description: Type.String() });
export const Open311Errors = Type.Array(Open311Error);

export const Open311Service = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Str,
  metadata: Type.Boolean(),
  type: Type.Union([Type.Literal('realtime'), Type.Literal('batch'), Type.Literal('blackbox')]),
  keywords: Str,
  group: Str,
});
export const Open311ServiceList = Type.Array(Open311Service);

export const Open311ServiceDefinition = Type.Object({
  service_code: Type.String(),
  attributes: Type.Array(Type.Object({}, { additionalProperties: true })),
});

/**
 * The form of `POST /requests` (application/x-www-form-urlencoded, as the spec sends it), with
 * `attribute[code]` / `attribute[code][]` answers. Checked by the route itself, which answers in
 * the GeoReport error format; this describes it for the API docs and the input guard.
 */
export const Open311RequestForm = Type.Object(
  {
    api_key: Type.String({ maxLength: 200 }),
    jurisdiction_id: Type.Optional(Type.String({ maxLength: 200 })),
    service_code: Type.String({ maxLength: 20 }),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    long: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    address_string: Type.Optional(Type.String({ maxLength: 200 })),
    address_id: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 200 })),
    device_id: Type.Optional(Type.String({ maxLength: 200 })),
    account_id: Type.Optional(Type.String({ maxLength: 200 })),
    first_name: Type.Optional(Type.String({ maxLength: 100 })),
    last_name: Type.Optional(Type.String({ maxLength: 100 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    description: Type.Optional(FreeText({ maxLength: 4000 })),
    media_url: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  {
    patternProperties: {
      '^attribute\\[[^\\]]+\\](\\[\\])?$': Type.Union([Type.String(), Type.Array(Type.String())]),
    },
  },
);

export const Open311RequestCreated = Type.Array(
  Type.Object({
    service_request_id: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
    service_notice: Str,
    account_id: Str,
  }),
);

export const Open311ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: Str,
  service_name: Str,
  service_code: Type.String(),
  description: Str,
  agency_responsible: Str,
  service_notice: Str,
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Str,
  address: Str,
  address_id: Str,
  zipcode: Str,
  lat: Nullable(Type.Number()),
  long: Nullable(Type.Number()),
  media_url: Str,
});
export const Open311ServiceRequests = Type.Array(Open311ServiceRequest);

export const Open311Token = Type.Array(
  Type.Object({ service_request_id: Type.String(), token: Type.String() }),
);

export const Open311RequestUpdate = Type.Object({
  update_id: Type.String(),
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  updated_datetime: Type.String(),
  description: Type.String(),
  media_url: Type.String(),
});
export const Open311RequestUpdates = Type.Array(Open311RequestUpdate);
