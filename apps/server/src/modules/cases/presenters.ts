import type {
  Boundary,
  BoundaryGeometry,
  Case,
  CaseCategory,
  CasePhoto,
  CasePlace,
  CasePublic,
  CaseSummary,
  OrgUnitRef,
  Squad,
} from '@linli/contracts';
import type { Actor } from '../../core/context';
import { can } from '../../core/permissions';
import type { OrgUnitInfo } from '../identity/lookups';
import { navigationLinks } from './navigation';
import type { Located, PlaceCandidate } from './places';
import type { CaseCategoryRow, CasePhotoRow, CaseRow, OrgUnitBoundaryRow, SquadRow } from './schema';
import type { CaseDetailView, CaseView } from './service';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const ref = (u: OrgUnitInfo): OrgUnitRef => ({ id: u.id, code: u.code, name: u.name, kind: u.kind });
/** About 100 m: enough to find the spot on a board, not a doorstep. */
const coarse = (v: number) => Math.round(v * 1000) / 1000;

const photo =
  (caseId: string) =>
  (p: CasePhotoRow): CasePhoto => ({
    id: p.id,
    mime: p.mime,
    size: p.size,
    url: `/api/v1/cases/${caseId}/photos/${p.id}`,
  });

/** Row -> `CaseSummary`; the reporter label was decided by the service (masked / 匿名 / full). */
export function presentCaseSummary(v: CaseView): CaseSummary {
  const { c } = v;
  return {
    id: c.id,
    number: c.number,
    category: { code: c.categoryCode, name: v.categoryName },
    status: c.status,
    source: c.source,
    description: c.description,
    orgUnit: ref(v.unit),
    address: c.address,
    location: c.lat !== null && c.lng !== null ? { lat: c.lat, lng: c.lng } : null,
    handler: v.handler,
    reporter: v.reporter,
    dueAt: iso(c.dueAt),
    overdue: v.overdue,
    supervised: c.supervised,
    reopened: c.reopened,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const placeRef = (r: PlaceCandidate | null): OrgUnitRef | null =>
  r ? { id: r.orgUnitId, code: r.code, name: r.name, kind: r.kind as OrgUnitRef['kind'] } : null;

/** Town · community · grid of a reverse-geocoded point. */
export function presentPlace(p: Omit<Located<PlaceCandidate>, 'district'>): CasePlace {
  return { town: placeRef(p.town), community: placeRef(p.community), grid: placeRef(p.grid) };
}

/** Row -> `Case` with photos (authorised links), the timeline and abilities. */
export function presentCase(v: CaseDetailView): Case {
  const { c } = v;
  const place = v.place ? presentPlace(v.place) : null;
  const where = place ? [place.town, place.community, place.grid].flatMap((u) => (u ? [u.name] : [])) : [];
  return {
    ...presentCaseSummary(v),
    place,
    navigation:
      c.lat !== null && c.lng !== null
        ? navigationLinks(
            { lat: c.lat, lng: c.lng },
            `${v.categoryName} ${c.number}`,
            [where.join(''), c.address ?? ''].filter(Boolean).join(' '),
          )
        : null,
    hideName: c.hideName,
    reporterPhone: v.reporterPhone,
    community: v.community ? ref(v.community) : null,
    photos: v.photos.map(photo(c.id)),
    history: v.history.map((h) => ({
      step: h.step,
      from: h.fromStatus,
      to: h.toStatus,
      actor: h.actorName,
      note: h.note,
      photos: h.photos.map(photo(c.id)),
      at: h.at.toISOString(),
    })),
    rating: c.rating,
    ratingComment: c.ratingComment,
    notRegisteredReason: c.notRegisteredReason,
    sendBackReason: c.sendBackReason,
    extension:
      c.extensionStatus && c.extensionHours !== null
        ? { hours: c.extensionHours, reason: c.extensionReason ?? '', status: c.extensionStatus }
        : null,
    supervisionNote: c.supervisionNote,
    closedAt: iso(c.closedAt),
    followers: v.followers,
    relation: v.relation,
    abilities: v.abilities,
  };
}

/** The board and "me too": never the reporter, the address or the exact point. */
export function presentCasePublic(v: {
  c: CaseRow;
  categoryName: string;
  community: OrgUnitInfo | null;
  followers: number;
}): CasePublic {
  const { c } = v;
  return {
    id: c.id,
    number: c.number,
    category: { code: c.categoryCode, name: v.categoryName },
    status: c.status,
    description: c.description,
    community: v.community ? ref(v.community) : null,
    coarseLocation: c.lat !== null && c.lng !== null ? { lat: coarse(c.lat), lng: coarse(c.lng) } : null,
    followers: v.followers,
    createdAt: c.createdAt.toISOString(),
  };
}

export function presentCategory(r: CaseCategoryRow): CaseCategory {
  return {
    code: r.code,
    name: r.name,
    parentCode: r.parentCode,
    level: r.level,
    defaultHandlerKind: r.defaultHandlerKind,
    defaultDepartment: r.defaultDepartment,
    urgent: r.urgent,
    sla: r.sla,
    evidence: r.evidence,
    enabled: r.enabled,
  };
}

export function presentSquad(
  v: {
    squad: SquadRow;
    community: OrgUnitInfo;
    members: {
      accountId: string;
      displayName: string;
      duty: Squad['members'][number]['duty'];
      active: boolean;
    }[];
  },
  actor: Actor,
): Squad {
  return {
    canManage: can(actor, 'squads.manage', v.community.path),
    id: v.squad.id,
    name: v.squad.name,
    community: ref(v.community),
    startedOn: v.squad.startedOn,
    members: v.members.map((m) => ({
      accountId: m.accountId,
      displayName: m.displayName,
      duty: m.duty,
      active: m.active,
    })),
  };
}

export function presentBoundary(v: { unit: OrgUnitInfo; row: OrgUnitBoundaryRow }): Boundary {
  return {
    orgUnit: ref(v.unit),
    geometry: v.row.geometry as BoundaryGeometry,
    source: v.row.source,
    updatedAt: v.row.updatedAt.toISOString(),
  };
}
