import type { AdmissionRequestCreate, AdmissionRequestStatus, AdmissionTaskStatus } from '@linli/contracts';
import type { Db } from '../../core/db/client';
import { findDepartmentByName, findOrgUnitByName } from '../identity/lookups';
import { admissionRequests, admissionRequestTargets, admissionTasks, type RequestRow } from './schema';

/** Test factories for the admission module. They write real rows; nothing is mocked. */

/** A request body that passes validation: override what the test is about. */
export function requestBody(over: Partial<AdmissionRequestCreate> = {}): AdmissionRequestCreate {
  return {
    title: '2027年度高龄津贴资格核查',
    description: '请各社区对辖区80周岁以上高龄老人开展津贴资格年度核查，入户核实健在和居住情况。',
    legalBasis: '《四川省老年人权益保障条例》',
    targets: { mode: 'all' },
    periodStart: '2026-12-01',
    periodEnd: '2027-02-28',
    recurrence: 'recurring',
    estimatedHoursPerMonth: 8,
    fundingYuanPerMonth: 400,
    forms: [{ name: '核查登记表', kind: 'form', frequency: 'monthly', fieldCount: 12 }],
    meetingsPerMonth: 1,
    inspectsCommunities: false,
    ratesCommunities: false,
    ...over,
  };
}

/** A request row in any state, targeting the named communities (default 翰林社区), filed by 罗江区民政局. */
export async function buildRequest(
  db: Db,
  over: { status: AdmissionRequestStatus; route?: RequestRow['route']; communities?: string[] },
): Promise<RequestRow> {
  const district = await findOrgUnitByName(db, '罗江区');
  const dept = await findDepartmentByName(db, district!.id, '罗江区民政局');
  const units = [];
  for (const name of over.communities ?? ['翰林社区']) units.push((await findOrgUnitByName(db, name))!);
  const decided = over.status === 'approved' || over.status === 'rejected' || over.status === 'withdrawn';
  const [row] = await db
    .insert(admissionRequests)
    .values({
      districtId: district!.id,
      orgUnitId: district!.id,
      departmentId: dept!.id,
      status: over.status,
      route: over.route ?? (over.status === 'refused' ? 'refused_negative' : 'full_review'),
      routeReason: 'fixture',
      title: 'fixture request',
      description: 'fixture',
      legalBasis: 'fixture basis',
      targetMode: 'chosen',
      targetUnitIds: units.map((u) => u.id),
      periodStart: '2026-12-01',
      periodEnd: '2027-01-31',
      recurrence: 'recurring',
      estimatedHoursPerMonth: 2,
      fundingYuanPerMonth: 100,
      forms: [],
      meetingsPerMonth: 0,
      inspectsCommunities: false,
      ratesCommunities: false,
      matches: [],
      listVersion: 1,
      dueAt:
        over.status === 'in_review' || over.status === 'fast_track' ? new Date('2026-12-18T09:30:00Z') : null,
      decision: decided ? (over.status === 'rejected' ? 'reject' : 'approve') : null,
      termStart: over.status === 'approved' || over.status === 'withdrawn' ? '2026-12-01' : null,
      termEnd: over.status === 'approved' || over.status === 'withdrawn' ? '2027-01-31' : null,
    })
    .returning();
  await db
    .insert(admissionRequestTargets)
    .values(units.map((u) => ({ requestId: row!.id, orgUnitId: u.id })));
  return row!;
}

/** A task in a community's inbox for a request. */
export async function buildTask(
  db: Db,
  request: RequestRow,
  communityName: string,
  status: AdmissionTaskStatus,
) {
  const unit = await findOrgUnitByName(db, communityName);
  const [row] = await db
    .insert(admissionTasks)
    .values({
      districtId: request.districtId,
      requestId: request.id,
      orgUnitId: unit!.id,
      departmentId: request.departmentId,
      status,
      title: request.title,
      description: request.description,
      fundingNote: 'fixture',
      requiredForms: [],
      formsCount: 0,
      meetingsPerMonth: 0,
      estimatedHoursPerMonth: 1,
      activeFrom: '2026-12-01',
      activeUntil: '2026-12-31',
    })
    .returning();
  return row!;
}
