import { segmenterWith } from '../service-guide/search/segmenter';
import { normalize } from '../service-guide/search/normalize';

/**
 * Matching a department's request text against the three lists (事项准入): which list item does
 * "请社区入户核查低保家庭…" fall under? No training data exists, so this is plain, explainable
 * text similarity: TF-IDF over words (jieba, search mode) and character bigrams, cosine between the
 * request and each item's name, category and keywords. Items are few (≈80), so every request is
 * scored against all of them.
 *
 * Quality is measured, not assumed: data/match-cases.json holds realistic requests with the item
 * each should match (or none); matching.test.ts fails if top-3 accuracy drops below 0.85.
 */
export type ListKind = 'self' | 'assist' | 'negative';

export interface MatchableItem {
  code: string;
  name: string;
  list: ListKind;
  category: string;
  /** Extra words people use for the same task (editable with the lists). */
  keywords?: string[];
}

export interface Match {
  code: string;
  name: string;
  list: ListKind;
  /** Cosine similarity, 0–1, rounded to three places. */
  score: number;
}

/**
 * Words that say how a task is phrased, not what it is: every list item and every request is
 * full of them ("请社区协助做好…", "不得要求社区…").
 */
const STOP = new Set([
  '社区',
  '居民',
  '协助',
  '开展',
  '做好',
  '配合',
  '请',
  '各',
  '不得',
  '要求',
  '工作',
  '组织',
  '进行',
  '负责',
  '及时',
  '相关',
  '有关',
  '关于',
  '通知',
  '辖区',
  '本',
  '和',
  '及',
  '与',
  '并',
  '的',
  '等',
  '对',
  '在',
  '为',
  '由',
  '或',
  '将',
  '以',
  '中',
  '其',
  '年度',
  '每月',
  '每周',
  '一次',
]);

function tokens(text: string): string[] {
  const words = segmenterWith()
    .cutForSearch(text)
    .map((w) => normalize(w))
    .filter((w) => w.length > 0 && !STOP.has(w) && !/^\d+$/.test(w));
  const out: string[] = [];
  for (const w of words) {
    if (w.length >= 2) out.push(`w:${w}`);
    // Bigrams inside each word catch compounds jieba splits differently (低保 / 最低生活保障).
    for (let i = 0; i + 1 < w.length; i++) out.push(`b:${w.slice(i, i + 2)}`);
    if (w.length === 1) out.push(`c:${w}`);
  }
  return out;
}

type Vector = Map<string, number>;

function termFrequencies(list: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

/** Below this a best match means "nothing on the lists" (see the null cases in match-cases.json). */
export const MATCH_THRESHOLD = 0.15;

export interface Matcher {
  match(text: string, limit?: number): Match[];
}

export function buildMatcher(items: MatchableItem[]): Matcher {
  const docs = items.map((item) =>
    termFrequencies(tokens([item.name, item.category, ...(item.keywords ?? [])].join(' '))),
  );
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = items.length;
  const idf = (t: string) => Math.log(1 + n / (df.get(t) ?? 0.5));

  const weigh = (tf: Map<string, number>): { v: Vector; norm: number } => {
    const v: Vector = new Map();
    let sum = 0;
    for (const [t, f] of tf) {
      const w = (1 + Math.log(f)) * idf(t) * (t.startsWith('w:') ? 1.5 : 1);
      v.set(t, w);
      sum += w * w;
    }
    return { v, norm: Math.sqrt(sum) || 1 };
  };
  const vectors = docs.map(weigh);

  return {
    match(text, limit = 5) {
      const q = weigh(termFrequencies(tokens(text)));
      const scored = items.map((item, i) => {
        const d = vectors[i]!;
        let dot = 0;
        for (const [t, w] of q.v) {
          const dw = d.v.get(t);
          if (dw) dot += w * dw;
        }
        return { item, score: dot / (q.norm * d.norm) };
      });
      scored.sort((a, b) => b.score - a.score || a.item.code.localeCompare(b.item.code));
      return scored.slice(0, limit).map(({ item, score }) => ({
        code: item.code,
        name: item.name,
        list: item.list,
        score: Math.round(score * 1000) / 1000,
      }));
    },
  };
}

/**
 * What the best matches say about a request: `negative` when the best match is a negative-list
 * item (the request is refused at once, citing it), `assist` / `self` when the best is on those
 * lists, `none` when nothing reaches the threshold.
 */
export function verdict(matches: Match[]): { kind: ListKind | 'none'; item: Match | null } {
  const best = matches[0];
  if (!best || best.score < MATCH_THRESHOLD) return { kind: 'none', item: null };
  return { kind: best.list, item: best };
}
