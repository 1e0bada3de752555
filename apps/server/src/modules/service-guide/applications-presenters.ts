import { type Application, type ApplicationSummary, maskName } from '@linli/contracts';
import type { ApplicationDetailView, ApplicationView } from './applications-service';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Row -> `ApplicationSummary`. The resident's name is masked (lists are seen by many staff). */
export function presentApplicationSummary(v: ApplicationView): ApplicationSummary {
  const { app } = v;
  return {
    id: app.id,
    number: app.number,
    status: app.status,
    mode: app.mode,
    item: v.item,
    orgUnit: { id: v.unit.id, code: v.unit.code, name: v.unit.name, kind: v.unit.kind },
    department: v.department,
    resident: maskName(v.residentName) ?? '',
    appointmentAt: iso(app.appointmentAt),
    acceptedAt: iso(app.acceptedAt),
    dueAt: iso(app.dueAt),
    overdue: v.overdue,
    visits: app.visits,
    multipleTrips: app.visits > 1,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

/** Row -> `Application` with files (as authorised download links), history, visits and abilities. */
export function presentApplication(v: ApplicationDetailView): Application {
  const { app } = v;
  return {
    ...presentApplicationSummary(v),
    note: app.note,
    missingMaterials: app.missingMaterials,
    materialsToBring: app.materialsToBring,
    refusalReason: app.refusalReason,
    delivery: app.delivery,
    rating: app.rating,
    ratingComment: app.ratingComment,
    files: v.files.map((f) => ({
      id: f.id,
      materialName: f.materialName,
      mime: f.mime,
      size: f.size,
      sha256: f.sha256,
      url: `/api/v1/applications/${app.id}/files/${f.id}`,
      createdAt: f.createdAt.toISOString(),
    })),
    events: v.events.map((e) => ({
      step: e.step,
      from: e.fromStatus,
      to: e.toStatus,
      actor: e.actorName,
      note: e.note,
      at: e.at.toISOString(),
    })),
    visitLog: v.visitLog.map((x) => ({
      id: x.id,
      at: x.at.toISOString(),
      note: x.note,
      recordedBy: x.recordedByName,
    })),
    abilities: v.abilities,
  };
}
