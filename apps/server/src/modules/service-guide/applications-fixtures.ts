import type { ApplicationStatus } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../core/db/client';
import { beijingDate } from '../calendar';
import { findDepartmentByName } from '../identity/lookups';
import { applicationNumberSql } from './applications-queries';
import { findItemWithGuide } from './queries';
import { accounts } from '../identity/schema';
import { applications } from './applications-schema';
import { serviceItems } from './schema';

/** Test factories for applications. They write real rows; nothing is mocked. */

/** Real bytes of tiny files: a 1×1 PNG, a minimal JPEG, a minimal PDF. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
export const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  type?: string;
  data?: Buffer;
}

/** A multipart/form-data body built by hand, with the headers to send it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----linli-test-boundary-7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if (p.data) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename ?? 'file'}"\r\n` +
            `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(p.data, Buffer.from('\r\n'));
    } else {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value ?? ''}\r\n`),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * The names of the materials an item's published guide marks required (a submission must upload
 * each or mark it as brought on the visit).
 */
export async function requiredMaterials(db: Db, itemId: string): Promise<string[]> {
  const found = await findItemWithGuide(db, itemId);
  return found?.guide.materials.filter((m) => m.required).map((m) => m.name) ?? [];
}

/** `bringMaterials` fields: the resident will bring these materials to the service room. */
export const bring = (names: readonly string[]): Part[] =>
  names.map((value) => ({ name: 'bringMaterials', value }));

/** `bringMaterials` fields for every required material of the item: a submission with no uploads needed. */
export async function bringRequired(db: Db, itemId: string): Promise<Part[]> {
  return bring(await requiredMaterials(db, itemId));
}

/** One material: its name field, then the file. */
export const material = (
  materialName: string,
  filename: string,
  data: Buffer,
  type = 'image/png',
): Part[] => [
  { name: 'materialName', value: materialName },
  { name: 'files', filename, type, data },
];

/** A published item of the district by name. */
export async function itemByName(db: Db, name: string) {
  const [item] = await db.select().from(serviceItems).where(eq(serviceItems.name, name)).limit(1);
  if (!item) throw new Error(`fixture: no service item named ${name}`);
  return item;
}

/** A resident account by phone. */
export async function accountByPhone(db: Db, phone: string) {
  const [a] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.phone, phone), eq(accounts.kind, 'resident')))
    .limit(1);
  if (!a) throw new Error(`fixture: no resident ${phone}`);
  return a;
}

const AFTER_FORWARD: ApplicationStatus[] = ['forwarded'];

/**
 * An application already in `status`, as the workflow would have left it (department, forwarded
 * and accepted times and the deadline set where that state implies them).
 */
export async function buildApplication(
  db: Db,
  p: { orgUnitId: string; itemId: string; residentId: string; status: ApplicationStatus; at: Date },
) {
  const [item] = await db.select().from(serviceItems).where(eq(serviceItems.id, p.itemId));
  const department =
    item!.mode === 'proxy' ? await findDepartmentByName(db, item!.districtId, item!.department) : null;
  const accepted = !['submitted', 'needs_more', 'pre_review', 'withdrawn'].includes(p.status);
  const [row] = await db
    .insert(applications)
    .values({
      districtId: item!.districtId,
      number: applicationNumberSql(item!.districtId, beijingDate(p.at)),
      orgUnitId: p.orgUnitId,
      itemId: p.itemId,
      residentId: p.residentId,
      mode: item!.mode,
      status: p.status,
      departmentId: department?.id ?? null,
      acceptedAt: accepted ? p.at : null,
      dueAt: accepted ? new Date(p.at.getTime() + 7 * 86400_000) : null,
      forwardedAt: AFTER_FORWARD.includes(p.status) ? p.at : null,
      createdAt: p.at,
      updatedAt: p.at,
    })
    .returning();
  return row!;
}
