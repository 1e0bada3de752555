import { approxFind } from './fuzzy';
import { hasCjk, isLatin, normalize, normalizeWithMap } from './normalize';
import { findPinyin, type PinyinForm, toPinyin } from '../../../core/pinyin';
import { segmenterWith } from './segmenter';

/** One service item as the catalogue feeds it to the index. */
export interface SearchableItem {
  id: string;
  name: string;
  aliases?: string[];
  department: string;
  themes?: string[];
  lifeEvents?: string[];
  keywords?: string[];
  /** How often residents open or apply for it; breaks ties between equally relevant items. */
  popularity?: number;
}

/** Terms in a group are interchangeable (低保 ↔ 最低生活保障). */
export interface SynonymGroup {
  terms: string[];
}

export type HighlightField = 'name' | 'alias' | 'keyword' | 'department' | 'theme' | 'lifeEvent';

/** Ranges are [start, end) UTF-16 offsets into `value`, the original (un-normalised) field text. */
export interface Highlight {
  field: HighlightField;
  value: string;
  ranges: [number, number][];
}

export type MatchKind =
  | 'exact'
  | 'prefix'
  | 'substring'
  | 'segments'
  | 'department'
  | 'theme'
  | 'pinyin'
  | 'initials'
  | 'homophone'
  | 'fuzzy';

export interface SearchHit {
  id: string;
  /** Relevance only (popularity is the tie-breaker, not part of the score). */
  score: number;
  /** The strongest evidence that produced the score. */
  matchedBy: MatchKind;
  highlights: Highlight[];
}

export interface SearchOptions {
  /** Default 10. */
  limit?: number;
  /** Overrides item.popularity without rebuilding the index. */
  popularity?: ReadonlyMap<string, number> | ((id: string) => number | undefined);
}

export interface SearchIndex {
  readonly size: number;
  /** Milliseconds spent in buildSearchIndex (excluding the one-off dictionary load). */
  readonly buildMs: number;
  /** Ranked hits: relevance, then popularity, then shorter name, then id. Empty for blank queries. */
  search(query: string, options?: SearchOptions): SearchHit[];
  /** Life events with how many items each has, for the browse-by-life-event screen. */
  lifeEvents(): { name: string; count: number }[];
  /** Item ids of one life event (or theme), most popular first. */
  browse(lifeEventOrTheme: string, options?: Pick<SearchOptions, 'popularity'>): string[];
  /**
   * The life event a query is about, or null: the query (or its core, filler and stop words gone)
   * is a life event's name or a term of a synonym group that contains the name (生孩子 → 生育 when
   * 生孩子 and 生育 share a group), spelled in characters or full pinyin, or such a term explains at
   * least half of the core (刚结婚 → 结婚). The longest term wins.
   */
  lifeEventOf(query: string): string | null;
}

type TargetKind = 'name' | 'alias' | 'synonym' | 'keyword' | 'department' | 'theme';

interface Target {
  kind: TargetKind;
  field: HighlightField;
  value: string;
  text: string;
  srcStart: number[];
  srcEnd: number[];
  py?: PinyinForm;
}

interface Entry {
  item: SearchableItem;
  nameLength: number;
  targets: Target[];
  /** Words of every text target (jieba search mode), for exact token hits. */
  tokens: Set<string>;
  /** All text targets joined, for substring token hits. */
  bag: string;
  /** Full pinyin and initials of every target, joined: a cheap pre-check before per-target work. */
  pyBag: string;
  iniBag: string;
  chars: Set<string>;
}

/**
 * Field weights per match quality. A coverage bonus of 0–10 (how much of the field the query covers,
 * in whole tenths so near-equal items tie and popularity decides) is added to all but `exact`.
 */
export const WEIGHTS = {
  name: { exact: 100, prefix: 85, substring: 75 },
  alias: { exact: 92, prefix: 78, substring: 68 },
  synonym: { exact: 90, prefix: 76, substring: 66 },
  keyword: { exact: 72, prefix: 62, substring: 56 },
  segments: { base: 35, span: 25, minCoverage: 0.5 },
  department: { exact: 48, prefix: 44, substring: 40 },
  theme: { exact: 48, prefix: 44, substring: 40 },
  pinyin: { exact: 58, prefix: 52, substring: 46 },
  initials: { exact: 54, prefix: 48, substring: 42 },
  homophone: { base: 34 },
  fuzzy: { base: 30 },
  minScore: 30,
} as const;

// Phrases residents wrap around the thing they want; removed before matching (longest first).
const FILLER_PHRASES = [
  '需要哪些材料',
  '需要什么材料',
  '要什么材料',
  '要带什么',
  '带什么材料',
  '什么材料',
  '怎么办理',
  '如何办理',
  '怎样办理',
  '怎么申请',
  '如何申请',
  '在哪里办',
  '去哪里办',
  '在哪办',
  '去哪办',
  '哪里办',
  '怎么办',
  '怎么弄',
  '怎么搞',
  '咋办',
  '咋弄',
  '需要什么',
  '要什么',
  '有哪些',
  '多少钱',
  '多久',
  '流程',
  '手续',
  '材料',
];
const FILLER_RE = new RegExp(FILLER_PHRASES.join('|'), 'g');
// Whole jieba tokens that carry no meaning for matching.
const STOP_TOKENS = new Set([
  '怎么',
  '怎样',
  '如何',
  '咋',
  '办',
  '办理',
  '去',
  '要',
  '想',
  '我',
  '我要',
  '我想',
  '我们',
  '家',
  '需要',
  '什么',
  '啥',
  '哪里',
  '哪儿',
  '在',
  '哪',
  '带',
  '的',
  '了',
  '吗',
  '呢',
  '啊',
  '吧',
  '呀',
  '能',
  '能不能',
  '可以',
  '给',
  '帮',
  '一下',
  '弄',
  '搞',
  '条件',
  '是',
  '有',
  '哪些',
  '请问',
  '申请',
  '申领',
  '要求',
  '和',
  '与',
  '及',
  '或',
  '还',
  '怎么样',
  '该',
]);

const CJK_CHAR = /\p{Script=Han}/u;

function makeTarget(kind: TargetKind, field: HighlightField, value: string): Target {
  const n = normalizeWithMap(value);
  return { kind, field, value, text: n.text, srcStart: n.srcStart, srcEnd: n.srcEnd };
}

/** Replaces one occurrence of a synonym term; the replacement maps back to the whole original term. */
function variantOf(base: Target, at: number, from: string, to: string): Target {
  const text = base.text.slice(0, at) + to + base.text.slice(at + from.length);
  const srcStart: number[] = [];
  const srcEnd: number[] = [];
  const termStart = base.srcStart[at]!;
  const termEnd = base.srcEnd[at + from.length - 1]!;
  for (let i = 0; i < at; i++) {
    srcStart.push(base.srcStart[i]!);
    srcEnd.push(base.srcEnd[i]!);
  }
  for (let i = 0; i < to.length; i++) {
    srcStart.push(termStart);
    srcEnd.push(termEnd);
  }
  for (let i = at + from.length; i < base.text.length; i++) {
    srcStart.push(base.srcStart[i]!);
    srcEnd.push(base.srcEnd[i]!);
  }
  const kind: TargetKind = base.kind === 'name' || base.kind === 'alias' ? 'synonym' : base.kind;
  return { kind, field: base.field, value: base.value, text, srcStart, srcEnd };
}

function coverageBonus(matched: number, total: number): number {
  return total > 0 ? Math.round((10 * Math.min(matched, total)) / total) : 0;
}

interface Candidate {
  score: number;
  kind: MatchKind;
  marks: { target: Target; start: number; end: number }[];
}

/**
 * Builds an in-memory index over the catalogue. Pure and synchronous: rebuild it (it takes tens of ms)
 * whenever items or synonyms change, and swap the reference.
 */
export function buildSearchIndex(items: SearchableItem[], synonyms: SynonymGroup[]): SearchIndex {
  const t0 = performance.now();
  const groups = synonyms
    .map((g) => [...new Set(g.terms.map(normalize).filter((t) => t.length > 0))])
    .filter((g) => g.length > 1);
  // Domain words (synonyms, aliases) so queries like 老年证在哪办 split well.
  const { cut, cutForSearch } = segmenterWith([
    ...groups.flat().filter((t) => hasCjk(t)),
    ...items.flatMap((i) => [...(i.aliases ?? []), ...(i.keywords ?? [])].map(normalize)),
  ]);

  const entries: Entry[] = items.map((item) => {
    const bases: Target[] = [
      makeTarget('name', 'name', item.name),
      ...(item.aliases ?? []).map((a) => makeTarget('alias', 'alias', a)),
      ...(item.keywords ?? []).map((k) => makeTarget('keyword', 'keyword', k)),
      makeTarget('department', 'department', item.department),
    ];
    const targets: Target[] = [...bases];
    const seen = new Set(bases.map((b) => `${b.kind}:${b.text}`));
    for (const base of bases) {
      for (const group of groups) {
        for (const from of group) {
          const at = base.text.indexOf(from);
          if (at === -1) continue;
          for (const to of group) {
            if (to === from || base.text.includes(to)) continue;
            const v = variantOf(base, at, from, to);
            const key = `${v.kind}:${v.text}`;
            if (!seen.has(key)) {
              seen.add(key);
              targets.push(v);
            }
          }
        }
      }
    }
    for (const th of item.themes ?? []) targets.push(makeTarget('theme', 'theme', th));
    for (const le of item.lifeEvents ?? []) {
      const t = makeTarget('theme', 'lifeEvent', le);
      targets.push(t);
      // A life event's colloquial names (生孩子 for 生育) reach its items as the name itself does.
      for (const group of groups)
        if (group.includes(t.text))
          for (const to of group) if (to !== t.text) targets.push(variantOf(t, 0, t.text, to));
    }
    // Themes and life events too: `hunyin` and `hy` find what 婚姻 finds.
    for (const t of targets) if (t.kind !== 'department') t.py = toPinyin(t.text);
    const tokens = new Set<string>();
    for (const t of targets) for (const w of cutForSearch(t.text)) tokens.add(w);
    const bag = targets.map((t) => t.text).join('|');
    const withPy = targets.filter((t) => t.py);
    const pyBag = withPy.map((t) => t.py!.full).join('|');
    const iniBag = withPy.map((t) => t.py!.initials).join('|');
    return { item, nameLength: item.name.length, targets, tokens, bag, pyBag, iniBag, chars: new Set(bag) };
  });

  const dfCache = new Map<string, number>();
  const idf = (token: string): number => {
    let df = dfCache.get(token);
    if (df === undefined) {
      df = 0;
      for (const e of entries) if (e.tokens.has(token) || e.bag.includes(token)) df++;
      if (dfCache.size > 10_000) dfCache.clear();
      dfCache.set(token, df);
    }
    return Math.log(1 + entries.length / (1 + df));
  };

  // Each life event's terms: its name and every term of a synonym group holding the name.
  const eventTerms: { event: string; term: string; py: string }[] = [];
  for (const event of new Set(items.flatMap((i) => i.lifeEvents ?? []))) {
    const name = normalize(event);
    if (!name) continue;
    const terms = new Set([name, ...groups.filter((g) => g.includes(name)).flat()]);
    for (const term of terms) eventTerms.push({ event, term, py: toPinyin(term).full });
  }
  eventTerms.sort((a, b) => b.term.length - a.term.length);

  const buildMs = performance.now() - t0;

  function analyse(query: string) {
    const full = normalize(query);
    if (!full) return undefined;
    const stripped = full.replace(FILLER_RE, '');
    const words = stripped ? cut(stripped).filter((w) => !STOP_TOKENS.has(w)) : [];
    const core = words.join('') || stripped || full;
    return { full, core, words, latin: isLatin(core) };
  }

  function score(entry: Entry, q: NonNullable<ReturnType<typeof analyse>>, qPy: PinyinForm | undefined) {
    let best: Candidate | undefined;
    const offer = (c: Candidate) => {
      if (!best || c.score > best.score) best = c;
    };
    const latin = q.latin;
    const forms = q.core === q.full ? [q.full] : [q.full, q.core];
    // Cheap whole-item pre-checks so most items skip the per-target work.
    const inBag = forms.map((f) => entry.bag.includes(f));
    const pyHit = latin && entry.pyBag.includes(q.core);
    const iniHit = latin && q.core.length >= 2 && entry.iniBag.includes(q.core);

    for (const t of entry.targets) {
      const w = t.kind === 'theme' ? WEIGHTS.theme : WEIGHTS[t.kind];
      for (let k = 0; k < forms.length; k++) {
        const f = forms[k]!;
        const at = inBag[k] ? t.text.indexOf(f) : -1;
        if (at !== -1) {
          const s =
            f.length === t.text.length
              ? w.exact
              : (at === 0 ? w.prefix : w.substring) + coverageBonus(f.length, t.text.length);
          offer({
            score: s,
            kind:
              t.kind === 'department'
                ? 'department'
                : t.kind === 'theme'
                  ? 'theme'
                  : s === w.exact
                    ? 'exact'
                    : at === 0
                      ? 'prefix'
                      : 'substring',
            marks: [{ target: t, start: at, end: at + f.length }],
          });
        } else if (
          t.kind === 'theme' &&
          t.text.length >= 2 &&
          2 * t.text.length >= f.length &&
          f.includes(t.text)
        ) {
          // 生育相关 → theme 生育, but only when the theme explains at least half of the query
          offer({ score: w.substring, kind: 'theme', marks: [{ target: t, start: 0, end: t.text.length }] });
        }
      }
      if (t.py && (pyHit || iniHit)) {
        const p = q.core;
        const found = pyHit ? findPinyin(t.py, p) : undefined;
        if (found) {
          const whole = found[0] === 0 && p.length === t.py.full.length;
          // A theme spelled in pinyin weighs what the theme in characters weighs, no more.
          const pw = t.kind === 'theme' ? WEIGHTS.theme : WEIGHTS.pinyin;
          offer({
            score: whole
              ? pw.exact
              : (found[0] === 0 ? pw.prefix : pw.substring) + coverageBonus(p.length, t.py.full.length),
            kind: 'pinyin',
            marks: [{ target: t, start: found[0], end: found[1] }],
          });
        }
        if (iniHit) {
          const at = t.py.initials.indexOf(p);
          if (at !== -1 && (at === 0 || p.length >= 3)) {
            const iw = t.kind === 'theme' ? WEIGHTS.theme : WEIGHTS.initials;
            offer({
              score:
                p.length === t.py.initials.length
                  ? iw.exact
                  : (at === 0 ? iw.prefix : iw.substring) + coverageBonus(p.length, t.py.initials.length),
              kind: 'initials',
              marks: [{ target: t, start: at, end: at + p.length }],
            });
          }
        }
      }
    }

    // Several words, each found somewhere in the item (社保卡 丢了 → 社会保障卡挂失 via 丢了 ↔ 挂失).
    if (q.words.length >= 2) {
      let total = 0;
      let matched = 0;
      const marks: Candidate['marks'] = [];
      for (const word of q.words) {
        const weight = idf(word) * (word.length >= 2 ? 1 : 0.5);
        total += weight;
        if (entry.tokens.has(word) || entry.bag.includes(word)) {
          matched += weight;
          const t = entry.targets.find((x) => x.text.includes(word));
          if (t) {
            const at = t.text.indexOf(word);
            marks.push({ target: t, start: at, end: at + word.length });
          }
        }
      }
      const coverage = total > 0 ? matched / total : 0;
      if (coverage >= WEIGHTS.segments.minCoverage) {
        offer({
          score: Math.round(WEIGHTS.segments.base + WEIGHTS.segments.span * coverage),
          kind: 'segments',
          marks,
        });
      }
    }

    // Typos only matter when nothing better was found for this item.
    const current = best as Candidate | undefined;
    if ((!current || current.score < WEIGHTS.pinyin.substring) && hasCjk(q.core)) {
      if (qPy && q.core.length >= 2 && entry.pyBag.includes(qPy.full)) {
        for (const t of entry.targets) {
          if (!t.py || t.kind === 'department') continue;
          const found = findPinyin(t.py, qPy.full);
          if (found && qPy.full.length >= 4) {
            offer({
              score: WEIGHTS.homophone.base + coverageBonus(q.core.length, t.text.length),
              kind: 'homophone',
              marks: [{ target: t, start: found[0], end: found[1] }],
            });
          }
        }
      }
      if (q.core.length >= 3) {
        let present = 0;
        for (const ch of q.core) if (entry.chars.has(ch)) present++;
        if (present >= q.core.length - 1) {
          for (const t of entry.targets) {
            if (t.kind === 'department' || t.kind === 'theme') continue;
            const found = approxFind(q.core, t.text, 1);
            if (found) {
              offer({
                score: WEIGHTS.fuzzy.base + coverageBonus(q.core.length, t.text.length),
                kind: 'fuzzy',
                marks: [{ target: t, start: found[0], end: found[1] }],
              });
            }
          }
        }
      }
    }
    return best as Candidate | undefined;
  }

  const CACHE_SIZE = 1000;
  const cache = new Map<string, { entry: Entry; c: Candidate }[]>();

  function scoreAll(query: string): { entry: Entry; c: Candidate }[] {
    const q = analyse(query);
    if (!q) return [];
    const qPy = hasCjk(q.core) && [...q.core].every((c) => CJK_CHAR.test(c)) ? toPinyin(q.core) : undefined;
    const out: { entry: Entry; c: Candidate }[] = [];
    for (const entry of entries) {
      const c = score(entry, q, qPy);
      if (c && c.score >= WEIGHTS.minScore) out.push({ entry, c });
    }
    return out;
  }

  function toHighlights(marks: Candidate['marks']): Highlight[] {
    const byField = new Map<string, Highlight>();
    for (const { target, start, end } of marks) {
      if (end <= start) continue;
      const key = `${target.field}\u0000${target.value}`;
      let h = byField.get(key);
      if (!h) {
        h = { field: target.field, value: target.value, ranges: [] };
        byField.set(key, h);
      }
      h.ranges.push([target.srcStart[start]!, target.srcEnd[end - 1]!]);
    }
    for (const h of byField.values()) {
      h.ranges.sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const r of h.ranges) {
        const last = merged[merged.length - 1];
        if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
        else merged.push([r[0], r[1]]);
      }
      h.ranges = merged;
    }
    return [...byField.values()];
  }

  function popularityOf(options: Pick<SearchOptions, 'popularity'> | undefined) {
    const p = options?.popularity;
    return (e: Entry): number => {
      const v = typeof p === 'function' ? p(e.item.id) : p?.get(e.item.id);
      return v ?? e.item.popularity ?? 0;
    };
  }

  return {
    size: entries.length,
    buildMs,
    search(query, options) {
      const key = normalize(query);
      if (!key) return [];
      // Residents repeat the same few queries: cache the scoring, re-sort for fresh popularity each time.
      let scored = cache.get(key);
      if (scored) {
        cache.delete(key);
        cache.set(key, scored);
      } else {
        scored = scoreAll(query);
        if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(key, scored);
      }
      const pop = popularityOf(options);
      const hits = scored.map(({ entry, c }) => ({ entry, c, pop: pop(entry) }));
      hits.sort(
        (a, b) =>
          b.c.score - a.c.score ||
          b.pop - a.pop ||
          a.entry.nameLength - b.entry.nameLength ||
          (a.entry.item.id < b.entry.item.id ? -1 : 1),
      );
      return hits.slice(0, options?.limit ?? 10).map(({ entry, c }) => ({
        id: entry.item.id,
        score: c.score,
        matchedBy: c.kind,
        highlights: toHighlights(c.marks),
      }));
    },
    lifeEvents() {
      const counts = new Map<string, number>();
      for (const e of entries)
        for (const le of e.item.lifeEvents ?? []) counts.set(le, (counts.get(le) ?? 0) + 1);
      return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count);
    },
    lifeEventOf(query) {
      const q = analyse(query);
      if (!q) return null;
      const forms = [q.full, q.core];
      if (q.latin) return eventTerms.find((e) => forms.includes(e.py))?.event ?? null;
      const exact = eventTerms.find((e) => forms.includes(e.term));
      if (exact) return exact.event;
      return (
        eventTerms.find(
          (e) => e.term.length >= 2 && 2 * e.term.length >= q.core.length && q.core.includes(e.term),
        )?.event ?? null
      );
    },
    browse(name, options) {
      const pop = popularityOf(options);
      return entries
        .filter((e) => e.item.lifeEvents?.includes(name) || e.item.themes?.includes(name))
        .sort((a, b) => pop(b) - pop(a) || (a.item.id < b.item.id ? -1 : 1))
        .map((e) => e.item.id);
    },
  };
}
