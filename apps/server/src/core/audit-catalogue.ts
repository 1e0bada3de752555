import type { PerLocale } from './module';

/**
 * What a module writes to the audit trail, with the words the console shows for it: every action
 * (`case.report`), every entity type (`case`) and every field name that appears in before/after or
 * in the note (`squadId`), each labelled in zh-CN and en. A manifest declares its own in `audit`;
 * core declares its own below; app.ts merges them into one catalogue, served at
 * `GET /api/v1/audit/catalogue`. Under test, writeAudit refuses anything undeclared
 * (enforceAuditCatalogue), so a module that forgets a label fails its tests, not the console.
 */
export interface AuditDeclarations {
  readonly actions?: Readonly<Record<string, PerLocale>>;
  readonly entityTypes?: Readonly<Record<string, PerLocale>>;
  readonly fields?: Readonly<Record<string, PerLocale>>;
}

/** The merged catalogue: one label per code. */
export interface AuditCatalogue {
  actions: Record<string, PerLocale>;
  entityTypes: Record<string, PerLocale>;
  fields: Record<string, PerLocale>;
}

/** What core itself writes: the job runner, the demo history, and fields every module shares. */
export const coreAuditDeclarations: AuditDeclarations = {
  actions: {
    'job.retry': { 'zh-CN': '重试后台任务', en: 'Retry a background job' },
    'demo_history.generate': { 'zh-CN': '生成演示历史数据', en: 'Generate the demo history' },
  },
  entityTypes: {
    job: { 'zh-CN': '后台任务', en: 'Background job' },
    demo_history: { 'zh-CN': '演示历史数据', en: 'Demo history' },
  },
  fields: {
    // The note under `_`: facts that are not field changes.
    _: { 'zh-CN': '说明', en: 'Note' },
    id: { 'zh-CN': '编号', en: 'ID' },
    status: { 'zh-CN': '状态', en: 'Status' },
    name: { 'zh-CN': '名称', en: 'Name' },
    title: { 'zh-CN': '标题', en: 'Title' },
    code: { 'zh-CN': '代码', en: 'Code' },
    kind: { 'zh-CN': '类型', en: 'Kind' },
    note: { 'zh-CN': '备注', en: 'Note' },
    reason: { 'zh-CN': '原因', en: 'Reason' },
    orgUnitId: { 'zh-CN': '所属组织', en: 'Org unit' },
    districtId: { 'zh-CN': '所属区', en: 'District' },
    version: { 'zh-CN': '版本', en: 'Version' },
    count: { 'zh-CN': '数量', en: 'Count' },
    fields: { 'zh-CN': '涉及字段', en: 'Fields' },
    attempts: { 'zh-CN': '已尝试次数', en: 'Attempts' },
    error: { 'zh-CN': '错误信息', en: 'Error' },
    // A background job's retry (core/jobs/service.ts).
    state: { 'zh-CN': '运行状态', en: 'State' },
    lastError: { 'zh-CN': '最近一次错误', en: 'Last error' },
    // The demo history's marker row.
    anchor: { 'zh-CN': '截止时间', en: 'Anchor' },
    seed: { 'zh-CN': '随机种子', en: 'Random seed' },
  },
};

/** Two declarations of one code with different words: the catalogue would say two things. */
export class AuditCatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditCatalogueError';
  }
}

const KINDS = ['actions', 'entityTypes', 'fields'] as const;

/**
 * Merges core's declarations and each module's into one catalogue. A code declared twice must
 * carry the same labels (a shared field such as `status` may be declared by several modules);
 * a label missing in a language stops the start.
 */
export function mergeAuditCatalogue(
  parts: readonly { owner: string; audit?: AuditDeclarations }[],
): AuditCatalogue {
  const out: AuditCatalogue = { actions: {}, entityTypes: {}, fields: {} };
  const ownerOf = new Map<string, string>();
  for (const { owner, audit } of parts) {
    for (const kind of KINDS) {
      for (const [code, label] of Object.entries(audit?.[kind] ?? {})) {
        if (!label['zh-CN']?.trim() || !label.en?.trim())
          throw new AuditCatalogueError(`${owner}: audit ${kind} "${code}" needs a zh-CN and an en label`);
        const seen = out[kind][code];
        if (seen && (seen['zh-CN'] !== label['zh-CN'] || seen.en !== label.en))
          throw new AuditCatalogueError(
            `${owner}: audit ${kind} "${code}" is labelled differently by ${ownerOf.get(`${kind}:${code}`)}`,
          );
        if (!seen) {
          out[kind][code] = { 'zh-CN': label['zh-CN'], en: label.en };
          ownerOf.set(`${kind}:${code}`, owner);
        }
      }
    }
  }
  return out;
}

/** The codes writeAudit accepts while enforcing (tests); null: not enforcing (production). */
let enforced: { actions: Set<string>; entityTypes: Set<string>; fields: Set<string> } | null = null;

/**
 * From now on, writeAudit refuses an action, entity type or field name the catalogue does not
 * declare. app.ts calls it under NODE_ENV=test only. Several apps in one test process add up
 * (they are built from the same manifests, plus whatever a test declares for its own module).
 */
export function enforceAuditCatalogue(catalogue: AuditCatalogue): void {
  enforced ??= { actions: new Set(), entityTypes: new Set(), fields: new Set() };
  for (const kind of KINDS) for (const code of Object.keys(catalogue[kind])) enforced[kind].add(code);
}

/** An audit row whose words the catalogue lacks, refused while enforcing (under test). */
export class UndeclaredAuditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndeclaredAuditError';
  }
}

/**
 * Throws when enforcing and the row names an action, entity type or field (a changed field, or a
 * key of the note) that no manifest declares.
 */
export function checkDeclared(action: string, entityType: string, fieldNames: Iterable<string>): void {
  if (!enforced) return;
  const missing: string[] = [];
  if (!enforced.actions.has(action)) missing.push(`action "${action}"`);
  if (!enforced.entityTypes.has(entityType)) missing.push(`entity type "${entityType}"`);
  for (const f of fieldNames) if (!enforced.fields.has(f)) missing.push(`field "${f}"`);
  if (missing.length)
    throw new UndeclaredAuditError(
      `audit row not declared in any manifest's \`audit\` (core/audit-catalogue.ts): ${missing.join(', ')}`,
    );
}
