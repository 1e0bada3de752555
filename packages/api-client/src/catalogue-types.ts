import type {
  ServiceGuide,
  ServiceItemAdmin,
  ServiceItemVersion,
  ServiceItemVersionSummary,
} from '@linli/contracts';

// Bodies of the catalogue editor's routes that packages/contracts has no schema for yet
// (their TypeBox schemas are in apps/server/src/modules/service-guide/catalogue-admin-schemas.ts).

/** `GET /service-items/admin` query. */
export interface CatalogueItemQuery {
  q?: string;
  mode?: 'direct' | 'proxy';
  department?: string;
  status?: 'draft' | 'published' | 'retired';
  hasDraft?: boolean;
  cursor?: string;
  limit?: number;
}

/** One row of the editor's list. */
export interface CatalogueItemRow extends ServiceItemAdmin {
  basicCode: string | null;
  caseType: string;
  statutoryTimeLimitDays: number | null;
  promisedTimeLimitWorkingDays: number | null;
}

/** `GET /service-items/:id/draft`: the draft when there is one, else the live guide. */
export interface CatalogueItemEditor extends ServiceItemAdmin {
  version: number;
  versionStatus: 'draft' | 'published' | 'superseded';
  guide: ServiceGuide;
  abilities: { saveDraft: boolean; publish: boolean; retire: boolean };
}

interface VersionAuthors {
  createdByName: string | null;
  publishedByName: string | null;
}
export type CatalogueVersionSummary = ServiceItemVersionSummary & VersionAuthors;
export type CatalogueVersion = ServiceItemVersion & VersionAuthors;
