import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { PersonalDataSource, PersonalFile } from '../../core/personal-data';
import { caseCategories, caseFollowers, caseHistory, casePhotos, cases } from './schema';

const ext = (storedPath: string) => storedPath.split('.').pop() ?? 'bin';

/**
 * What the cases module holds about a resident: the cases they reported (with their public
 * steps), the cases they follow (我也遇到), and the photos they uploaded.
 *
 * Closing the account keeps the cases and the photos: a case records a problem in a public place
 * and what the community did about it, and its photos are the evidence of both (the notice says
 * so). The case keeps pointing at the account, which no longer names anyone. What is only the
 * resident's — following someone else's case — is removed.
 */
export const casesPersonalData: PersonalDataSource = {
  module: 'cases',
  async collect(db, accountId) {
    const reported = await db
      .select({
        id: cases.id,
        number: cases.number,
        categoryCode: cases.categoryCode,
        categoryName: caseCategories.name,
        description: cases.description,
        address: cases.address,
        lat: cases.lat,
        lng: cases.lng,
        status: cases.status,
        hideName: cases.hideName,
        rating: cases.rating,
        ratingComment: cases.ratingComment,
        createdAt: cases.createdAt,
        closedAt: cases.closedAt,
      })
      .from(cases)
      .leftJoin(
        caseCategories,
        and(eq(caseCategories.code, cases.categoryCode), eq(caseCategories.districtId, cases.districtId)),
      )
      .where(eq(cases.reporterId, accountId))
      .orderBy(asc(cases.id));
    const ids = reported.map((c) => c.id);
    const history = ids.length
      ? await db
          .select()
          .from(caseHistory)
          .where(and(inArray(caseHistory.caseId, ids), eq(caseHistory.public, true)))
          .orderBy(asc(caseHistory.at), asc(caseHistory.id))
      : [];
    const followed = await db
      .select({ number: cases.number, status: cases.status, followedAt: caseFollowers.createdAt })
      .from(caseFollowers)
      .innerJoin(cases, eq(cases.id, caseFollowers.caseId))
      .where(eq(caseFollowers.accountId, accountId))
      .orderBy(asc(caseFollowers.createdAt));
    const photos = await db
      .select({
        id: casePhotos.id,
        caseId: casePhotos.caseId,
        number: cases.number,
        originalName: casePhotos.originalName,
        storedPath: casePhotos.storedPath,
        mime: casePhotos.mime,
        size: casePhotos.size,
        sha256: casePhotos.sha256,
        createdAt: casePhotos.createdAt,
      })
      .from(casePhotos)
      .innerJoin(cases, eq(cases.id, casePhotos.caseId))
      .where(eq(casePhotos.uploadedBy, accountId))
      .orderBy(asc(casePhotos.createdAt), asc(casePhotos.id));

    const files: PersonalFile[] = [];
    const photoEntries = photos.map((p, i) => {
      const zipPath = `files/cases/${p.number}/${String(i + 1).padStart(2, '0')}-${p.id.slice(-8)}.${ext(p.storedPath)}`;
      files.push({ storedPath: p.storedPath, zipPath });
      return {
        caseNumber: p.number,
        originalName: p.originalName,
        mime: p.mime,
        size: p.size,
        sha256: p.sha256,
        uploadedAt: p.createdAt.toISOString(),
        file: zipPath,
      };
    });
    const data = {
      reported: reported.map((c) => ({
        number: c.number,
        category: c.categoryName ?? c.categoryCode,
        description: c.description,
        address: c.address,
        location: c.lat !== null && c.lng !== null ? { lat: c.lat, lng: c.lng } : null,
        status: c.status,
        hideName: c.hideName,
        rating: c.rating,
        ratingComment: c.ratingComment,
        reportedAt: c.createdAt.toISOString(),
        closedAt: c.closedAt?.toISOString() ?? null,
        steps: history
          .filter((h) => h.caseId === c.id)
          .map((h) => ({ step: h.step, status: h.toStatus, note: h.note, at: h.at.toISOString() })),
      })),
      followed: followed.map((f) => ({
        number: f.number,
        status: f.status,
        followedAt: f.followedAt.toISOString(),
      })),
      photos: photoEntries,
    };
    return [{ name: 'cases.json', data, files }];
  },
  async closureBlockers() {
    return [];
  },
  async close(tx, accountId) {
    const unfollowed = await tx
      .delete(caseFollowers)
      .where(eq(caseFollowers.accountId, accountId))
      .returning({ caseId: caseFollowers.caseId });
    const [kept] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(casePhotos)
      .where(eq(casePhotos.uploadedBy, accountId));
    return {
      deleteFiles: [],
      counts: { casesUnfollowed: unfollowed.length, casePhotosKept: Number(kept?.n ?? 0) },
    };
  },
};
