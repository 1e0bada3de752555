import { and, asc, eq, gt, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { PersonalDataSource, PersonalFile } from '../../core/personal-data';
import { applicationEvents, applicationFiles, applications, applicationVisits } from './applications-schema';
import { serviceChecklists } from './checklist-schema';
import { officeHourBookings, officeHourSessions } from './office-hours-schema';
import { serviceItems } from './schema';

/** Applications in these states are finished: nothing more will be done with their materials. */
export const FINISHED_APPLICATION_STATES = ['completed', 'rated', 'refused', 'withdrawn'] as const;

const ext = (storedPath: string) => storedPath.split('.').pop() ?? 'bin';
/** A material name as a file name: no path separators or characters zip tools choke on. */
const safeName = (name: string) => name.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) || 'file';

/**
 * What the service guide holds about a resident: applications (办件) with their steps, visits and
 * material files, the material checklists they ticked, and their office-hour bookings.
 *
 * Closing the account: an application still in progress blocks it (finish or withdraw it
 * first — the service room is still working on it). The application records stay, as records of
 * public services rendered; the material files of finished applications (ID card scans and the
 * like) are deleted, as the notice says, and their rows marked `erasedAt`. Checklists are
 * deleted; bookings of sessions still to come are cancelled, so the place goes to someone else.
 */
export const serviceGuidePersonalData: PersonalDataSource = {
  module: 'service-guide',
  async collect(db, accountId) {
    const apps = await db
      .select({
        id: applications.id,
        itemName: serviceItems.name,
        itemCode: serviceItems.code,
        mode: applications.mode,
        status: applications.status,
        note: applications.note,
        appointmentAt: applications.appointmentAt,
        delivery: applications.delivery,
        rating: applications.rating,
        ratingComment: applications.ratingComment,
        createdAt: applications.createdAt,
        doneAt: applications.doneAt,
      })
      .from(applications)
      .innerJoin(serviceItems, eq(serviceItems.id, applications.itemId))
      .where(eq(applications.residentId, accountId))
      .orderBy(asc(applications.id));
    const ids = apps.map((a) => a.id);
    const [events, files, visits] = ids.length
      ? await Promise.all([
          db
            .select()
            .from(applicationEvents)
            .where(inArray(applicationEvents.applicationId, ids))
            .orderBy(asc(applicationEvents.at), asc(applicationEvents.id)),
          db
            .select()
            .from(applicationFiles)
            .where(inArray(applicationFiles.applicationId, ids))
            .orderBy(asc(applicationFiles.createdAt), asc(applicationFiles.id)),
          db
            .select()
            .from(applicationVisits)
            .where(inArray(applicationVisits.applicationId, ids))
            .orderBy(asc(applicationVisits.at)),
        ])
      : [[], [], []];
    const zipFiles: PersonalFile[] = [];
    const applicationsData = apps.map((a) => ({
      id: a.id,
      item: { code: a.itemCode, name: a.itemName },
      mode: a.mode,
      status: a.status,
      note: a.note,
      appointmentAt: a.appointmentAt?.toISOString() ?? null,
      delivery: a.delivery,
      rating: a.rating,
      ratingComment: a.ratingComment,
      submittedAt: a.createdAt.toISOString(),
      doneAt: a.doneAt?.toISOString() ?? null,
      steps: events
        .filter((e) => e.applicationId === a.id)
        .map((e) => ({ step: e.step, status: e.toStatus, note: e.note, at: e.at.toISOString() })),
      visits: visits.filter((v) => v.applicationId === a.id).map((v) => ({ at: v.at.toISOString() })),
      materials: files
        .filter((f) => f.applicationId === a.id)
        .map((f, i) => {
          const zipPath = f.erasedAt
            ? null
            : `files/applications/${a.id.slice(-8)}/${String(i + 1).padStart(2, '0')}-${safeName(f.materialName)}.${ext(f.storedPath)}`;
          if (zipPath) zipFiles.push({ storedPath: f.storedPath, zipPath });
          return {
            material: f.materialName,
            originalName: f.originalName,
            mime: f.mime,
            size: f.size,
            sha256: f.sha256,
            uploadedAt: f.createdAt.toISOString(),
            erasedAt: f.erasedAt?.toISOString() ?? null,
            file: zipPath,
          };
        }),
    }));
    const checklists = await db
      .select({
        itemCode: serviceItems.code,
        itemName: serviceItems.name,
        checked: serviceChecklists.checked,
        updatedAt: serviceChecklists.updatedAt,
      })
      .from(serviceChecklists)
      .innerJoin(serviceItems, eq(serviceItems.id, serviceChecklists.itemId))
      .where(eq(serviceChecklists.accountId, accountId))
      .orderBy(asc(serviceChecklists.updatedAt));
    const bookings = await db
      .select({
        status: officeHourBookings.status,
        bookedAt: officeHourBookings.createdAt,
        checkedInAt: officeHourBookings.checkedInAt,
        cancelledAt: officeHourBookings.cancelledAt,
        startsAt: officeHourSessions.startsAt,
        endsAt: officeHourSessions.endsAt,
        place: officeHourSessions.place,
      })
      .from(officeHourBookings)
      .innerJoin(officeHourSessions, eq(officeHourSessions.id, officeHourBookings.sessionId))
      .where(eq(officeHourBookings.accountId, accountId))
      .orderBy(asc(officeHourBookings.createdAt));
    return [
      { name: 'applications.json', data: applicationsData, files: zipFiles },
      {
        name: 'checklists.json',
        data: checklists.map((c) => ({
          item: { code: c.itemCode, name: c.itemName },
          checked: c.checked,
          updatedAt: c.updatedAt.toISOString(),
        })),
        files: [],
      },
      {
        name: 'office-hour-bookings.json',
        data: bookings.map((b) => ({
          place: b.place,
          startsAt: b.startsAt.toISOString(),
          endsAt: b.endsAt.toISOString(),
          status: b.status,
          bookedAt: b.bookedAt.toISOString(),
          checkedInAt: b.checkedInAt?.toISOString() ?? null,
          cancelledAt: b.cancelledAt?.toISOString() ?? null,
        })),
        files: [],
      },
    ];
  },
  async closureBlockers(db, accountId) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(applications)
      .where(
        and(
          eq(applications.residentId, accountId),
          notInArray(applications.status, [...FINISHED_APPLICATION_STATES]),
        ),
      );
    const n = Number(row?.n ?? 0);
    return n > 0 ? [{ code: 'applications-in-progress', count: n }] : [];
  },
  async close(tx, accountId, now) {
    const erased = await tx
      .update(applicationFiles)
      .set({ erasedAt: now })
      .where(
        and(
          isNull(applicationFiles.erasedAt),
          inArray(
            applicationFiles.applicationId,
            tx
              .select({ id: applications.id })
              .from(applications)
              .where(
                and(
                  eq(applications.residentId, accountId),
                  inArray(applications.status, [...FINISHED_APPLICATION_STATES]),
                ),
              ),
          ),
        ),
      )
      .returning({ storedPath: applicationFiles.storedPath });
    const checklists = await tx
      .delete(serviceChecklists)
      .where(eq(serviceChecklists.accountId, accountId))
      .returning({ id: serviceChecklists.id });
    const cancelled = await tx
      .update(officeHourBookings)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(
        and(
          eq(officeHourBookings.accountId, accountId),
          eq(officeHourBookings.status, 'booked'),
          inArray(
            officeHourBookings.sessionId,
            tx
              .select({ id: officeHourSessions.id })
              .from(officeHourSessions)
              .where(gt(officeHourSessions.startsAt, now)),
          ),
        ),
      )
      .returning({ id: officeHourBookings.id });
    return {
      deleteFiles: erased.map((f) => f.storedPath),
      counts: {
        applicationFilesErased: erased.length,
        checklistsDeleted: checklists.length,
        bookingsCancelled: cancelled.length,
      },
    };
  },
};
