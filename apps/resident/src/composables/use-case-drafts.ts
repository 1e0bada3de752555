import { ApiError, decodeProblem } from '@linli/api-client';
import type { CaseReceipt } from '@linli/contracts';
import { showSuccessToast } from 'vant';
import { reactive } from 'vue';
import { api } from '@/api';
import { i18n } from '@/i18n';
import { useSessionStore } from '@/stores/session';

/**
 * 随手拍 reports kept on the phone while the network is down, and sent when it is back (the
 * `online` event, or the next start of the app), each with the Idempotency-Key of its form, so a
 * report whose answer was lost is never filed twice. Photos are kept as blobs in IndexedDB, or as
 * data URLs in localStorage where IndexedDB is missing (some in-app browsers) and they are small.
 */
export interface CaseDraftFields {
  categoryCode: string;
  categoryName: string;
  description: string;
  lat?: number;
  lng?: number;
  address?: string;
  hideName: boolean;
}

export interface CaseDraft {
  /** The form's Idempotency-Key. */
  key: string;
  accountId: string;
  fields: CaseDraftFields;
  photos: { name: string; blob: Blob }[];
  savedAt: string;
  /** Why the last automatic send was refused (not a network failure); the resident decides. */
  error?: string;
}

/** router.ts reads this flag to start sending on the next start of the app. */
export const PENDING_FLAG = 'linli.caseDrafts';
const DB_NAME = 'linli-cases';
const STORE = 'drafts';
const LS_KEY = 'linli.caseDrafts.data';
const LS_MAX_CHARS = 3_000_000;

/** What pages show: drafts of this phone, and the receipts of drafts sent automatically. */
export const draftState = reactive({
  drafts: [] as CaseDraft[],
  sent: [] as { key: string; receipt: CaseReceipt }[],
  sending: false,
});

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('no indexedDB'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idb<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// The localStorage fallback: photos as data URLs.
type StoredLs = Omit<CaseDraft, 'photos'> & { photos: { name: string; data: string }[] };

function readLs(): StoredLs[] {
  try {
    return JSON.parse(localStorage.getItem(LS_KEY) ?? '[]') as StoredLs[];
  } catch {
    return [];
  }
}

const toDataUrl = (blob: Blob) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });

async function fromDataUrl(data: string): Promise<Blob> {
  return (await fetch(data)).blob();
}

function setFlag(n: number) {
  try {
    if (n > 0) localStorage.setItem(PENDING_FLAG, String(n));
    else localStorage.removeItem(PENDING_FLAG);
  } catch {
    // Private mode: drafts are then sent only while the app stays open.
  }
}

async function readAll(): Promise<CaseDraft[]> {
  let fromIdb: CaseDraft[] = [];
  try {
    fromIdb = await idb<CaseDraft[]>('readonly', (s) => s.getAll());
  } catch {
    // No IndexedDB: only the localStorage copies.
  }
  const fromLs = await Promise.all(
    readLs().map(async (d) => ({
      ...d,
      photos: await Promise.all(
        d.photos.map(async (p) => ({ name: p.name, blob: await fromDataUrl(p.data) })),
      ),
    })),
  );
  return [...fromIdb, ...fromLs].sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}

/** Reloads `draftState.drafts` (of the signed-in resident) from the phone. */
export async function refreshDrafts(): Promise<CaseDraft[]> {
  const all = await readAll();
  setFlag(all.length);
  const session = useSessionStore();
  draftState.drafts = all.filter((d) => d.accountId === session.me?.id);
  return all;
}

/** Keeps a report on the phone; throws when neither store can take it. */
export async function saveDraft(draft: CaseDraft): Promise<void> {
  try {
    await idb('readwrite', (s) => s.put(draft));
  } catch {
    const photos = await Promise.all(
      draft.photos.map(async (p) => ({ name: p.name, data: await toDataUrl(p.blob) })),
    );
    const list = [...readLs().filter((d) => d.key !== draft.key), { ...draft, photos }];
    const text = JSON.stringify(list);
    if (text.length > LS_MAX_CHARS) throw new Error('draft too large for localStorage');
    localStorage.setItem(LS_KEY, text);
  }
  await refreshDrafts();
}

export async function deleteDraft(key: string): Promise<void> {
  try {
    await idb('readwrite', (s) => s.delete(key));
  } catch {
    // Not in IndexedDB.
  }
  try {
    const rest = readLs().filter((d) => d.key !== key);
    if (rest.length) localStorage.setItem(LS_KEY, JSON.stringify(rest));
    else localStorage.removeItem(LS_KEY);
  } catch {
    // Nothing kept there.
  }
  await refreshDrafts();
}

/** The multipart body of `POST /cases`. */
export function caseForm(fields: CaseDraftFields, photos: { name: string; blob: Blob }[]): FormData {
  const form = new FormData();
  form.append('categoryCode', fields.categoryCode);
  form.append('description', fields.description);
  if (fields.lat !== undefined && fields.lng !== undefined) {
    form.append('lat', fields.lat.toFixed(6));
    form.append('lng', fields.lng.toFixed(6));
  }
  if (fields.address) form.append('address', fields.address);
  form.append('hideName', String(fields.hideName));
  for (const p of photos) form.append('photos', p.blob, p.name);
  return form;
}

/** A failure worth retrying later: no network, signed out, or the first send still running. */
export const isTransient = (e: unknown) =>
  !(e instanceof ApiError) ||
  e.status === 0 ||
  e.status === 401 ||
  e.status >= 500 ||
  e.problem.code === 'idempotency-in-progress';

let retry: ReturnType<typeof setTimeout> | null = null;

/** Sends the signed-in resident's drafts, oldest first; stops at the first network failure. */
export async function flushDrafts(): Promise<void> {
  if (draftState.sending) return;
  draftState.sending = true;
  try {
    const session = useSessionStore();
    await session.load();
    const all = await refreshDrafts();
    if (!session.me) return;
    for (const d of all.filter((x) => x.accountId === session.me?.id && !x.error)) {
      try {
        const receipt = await api.cases.report(caseForm(d.fields, d.photos), d.key);
        draftState.sent.push({ key: d.key, receipt });
        await deleteDraft(d.key);
        showSuccessToast(i18n.global.t('cases.draftSent', { number: receipt.number }));
      } catch (e) {
        if (isTransient(e)) {
          // Online but the request failed (a flaky network): once more in a while.
          if (!retry) {
            retry = setTimeout(() => {
              retry = null;
              if (navigator.onLine) void flushDrafts();
            }, 15_000);
          }
          return;
        }
        const t = i18n.global;
        d.error = decodeProblem(e, (k, p) => (t.te(k) ? t.t(k, p ?? {}) : null)).message;
        try {
          await idb('readwrite', (s) => s.put({ ...d }));
        } catch {
          // The localStorage copy keeps trying; the resident can delete it.
        }
      }
    }
    await refreshDrafts();
  } finally {
    draftState.sending = false;
  }
}

let started = false;
/** Sends drafts now (when online) and whenever the browser comes back online. Idempotent. */
export function startCaseDraftSync(): void {
  if (started) return;
  started = true;
  window.addEventListener('online', () => void flushDrafts());
  if (navigator.onLine) void flushDrafts();
  else void refreshDrafts();
}
