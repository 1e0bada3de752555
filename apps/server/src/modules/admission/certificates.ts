import type { Certificate, CertificateAnswer } from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { type RequestContext, systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { listDistricts } from '../identity/lookups';
import data from './data/certificates.json' with { type: 'json' };
import { type AdmissionDeps, districtOf } from './lists-service';
import { buildMatcher, type Matcher } from './matching';
import { certificatesOf } from './queries';
import { admissionCertificates, type CertificateRow } from './schema';

/**
 * 证明事项: "can my community issue this certificate?" Answered from the two certificate lists
 * (data/certificates.json, illustrative: read its `note`) with the same TF-IDF matcher as the
 * three lists, over each certificate's name and aliases.
 */

/** Below this the best certificate is not an answer (a name and its aliases are short texts). */
export const CERTIFICATE_THRESHOLD = 0.3;

export const CERTIFICATE_NOTE =
  '根据证明事项清理要求，社区只出具《可出具证明事项清单》内的证明；其他证明由法定部门出具或以本人书面承诺代替。清单为示意，以区级公布为准。';

const present = (r: CertificateRow): Certificate => ({
  code: r.code,
  name: r.name,
  aliases: r.aliases,
  kind: r.kind,
  howToIssue: r.howToIssue,
  issuedBy: r.issuedBy,
  basis: r.basis,
});

type Loaded = { at: number; matcher: Matcher; rows: CertificateRow[] };
/** Per database handle, then per district (two apps in one process never share one). */
const matchers = new WeakMap<object, Map<string, Loaded>>();
const TTL_MS = 5 * 60_000;

async function loadCertificates(deps: AdmissionDeps, districtId: string) {
  let byDistrict = matchers.get(deps.db);
  if (!byDistrict) {
    byDistrict = new Map();
    matchers.set(deps.db, byDistrict);
  }
  const hit = byDistrict.get(districtId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  const rows = await certificatesOf(deps.db, districtId);
  const matcher = buildMatcher(
    rows.map((r) => ({
      code: r.code,
      name: r.name,
      // The matcher's list kind is not used for certificates; the row's kind is.
      list: r.kind === 'may_issue' ? ('self' as const) : ('negative' as const),
      category: '',
      keywords: r.aliases,
    })),
  );
  const entry = { at: Date.now(), matcher, rows };
  byDistrict.set(districtId, entry);
  return entry;
}

/** `GET /admission/certificates?q=`: public. */
export async function askCertificate(
  deps: AdmissionDeps,
  ctx: RequestContext,
  q: string | undefined,
): Promise<CertificateAnswer> {
  const { matcher, rows } = await loadCertificates(deps, await districtOf(deps.db, ctx));
  const all = rows.map(present);
  const lists = {
    mayIssue: all.filter((c) => c.kind === 'may_issue'),
    mayNotIssue: all.filter((c) => c.kind === 'may_not_issue'),
    note: CERTIFICATE_NOTE,
  };
  const query = (q ?? '').trim();
  if (!query) return { query, answer: 'unknown', best: null, matches: [], ...lists };
  const byCode = new Map(all.map((c) => [c.code, c]));
  const found = matcher
    .match(query, 5)
    .filter((m) => m.score >= CERTIFICATE_THRESHOLD / 2)
    .map((m) => ({ ...byCode.get(m.code)!, score: m.score }));
  const top = found[0] && found[0].score >= CERTIFICATE_THRESHOLD ? found[0] : null;
  const best = top ? byCode.get(top.code)! : null;
  return { query, answer: best ? best.kind : 'unknown', best, matches: found, ...lists };
}

/** Reference data: both certificate lists for every district that has none. */
export async function seedCertificates(db: Db): Promise<number> {
  let inserted = 0;
  for (const district of await listDistricts(db)) {
    const [n] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(admissionCertificates)
      .where(eq(admissionCertificates.districtId, district.id));
    if (Number(n?.n ?? 0) > 0) continue;
    const rows = [
      ...data.mayIssue.map((c, sort) => ({
        districtId: district.id,
        code: c.code,
        name: c.name,
        aliases: c.aliases,
        kind: 'may_issue' as const,
        howToIssue: c.howToIssue,
        issuedBy: null,
        basis: c.basis,
        sort,
      })),
      ...data.mayNotIssue.map((c, sort) => ({
        districtId: district.id,
        code: c.code,
        name: c.name,
        aliases: c.aliases,
        kind: 'may_not_issue' as const,
        howToIssue: null,
        issuedBy: c.issuedBy,
        basis: null,
        sort,
      })),
    ];
    await db.transaction(async (tx) => {
      await tx.insert(admissionCertificates).values(rows);
      await writeAudit(tx, systemContext(district.id), {
        action: 'admission_certificates.seed',
        entityType: 'admission_certificate',
        entityId: null,
        orgUnitId: district.id,
        districtId: district.id,
        note: { certificates: rows.length },
      });
    });
    inserted += rows.length;
  }
  return inserted;
}
