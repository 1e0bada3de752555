import { beforeAll, describe, expect, it } from 'vitest';
import { catalogueItems, initialSynonyms } from './catalogue-fixture';
import queryFile from './data/queries.json';
import { normalize, normalizeWithMap } from './normalize';
import { findPinyin, toPinyin } from '../../../core/pinyin';
import { buildSearchIndex, type SearchIndex, type SearchableItem } from './search-index';

let index: SearchIndex;

beforeAll(() => {
  // Timings are printed, never asserted: CI machines vary too much.
  const items = catalogueItems();
  const synonyms = initialSynonyms();
  const first = performance.now();
  buildSearchIndex(items, synonyms);
  const firstMs = performance.now() - first;
  index = buildSearchIndex(items, synonyms);
  const queries = queryFile.queries.map((q) => q.q);
  const rounds = 20;
  // Uncached: a fresh index per round so every query is scored from scratch.
  let uncachedMs = 0;
  for (let r = 0; r < rounds; r++) {
    const fresh = buildSearchIndex(items, synonyms);
    const t = performance.now();
    for (const q of queries) fresh.search(q);
    uncachedMs += performance.now() - t;
  }
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const q of queries) index.search(q);
  const cachedMs = performance.now() - t0;
  const us = (ms: number) => ((ms * 1000) / (rounds * queries.length)).toFixed(1);
  console.log(
    `build: first ${firstMs.toFixed(1)} ms (incl. jieba dictionary load), rebuild ${index.buildMs.toFixed(1)} ms; ` +
      `search over ${queries.length} queries × ${rounds}: ${us(uncachedMs)} µs uncached, ${us(cachedMs)} µs repeated (cached)`,
  );
});

const top = (idx: SearchIndex, q: string, n = 3) => idx.search(q, { limit: n }).map((h) => h.id);

describe('recall over realistic resident queries', () => {
  it('finds an expected item in the top 3 for at least 90% of queries.json', () => {
    const misses: string[] = [];
    const byKind = new Map<string, { hit: number; total: number }>();
    for (const { q, kind, expected } of queryFile.queries) {
      const got = top(index, q);
      const hit = expected.some((id) => got.includes(id));
      const k = byKind.get(kind) ?? { hit: 0, total: 0 };
      k.total++;
      if (hit) k.hit++;
      byKind.set(kind, k);
      if (!hit) misses.push(`${kind} "${q}" expected ${expected.join('|')} got [${got.join(', ')}]`);
    }
    const total = queryFile.queries.length;
    const recall = (total - misses.length) / total;
    const kinds = [...byKind].map(([k, v]) => `${k} ${v.hit}/${v.total}`).join(', ');
    console.log(`recall@3 = ${recall.toFixed(3)} (${total - misses.length}/${total}); ${kinds}`);
    if (misses.length) console.log(`misses:\n  ${misses.join('\n  ')}`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('has at least 120 queries, each naming catalogue ids', () => {
    const ids = new Set(catalogueItems().map((i) => i.id));
    expect(queryFile.queries.length).toBeGreaterThanOrEqual(120);
    for (const q of queryFile.queries)
      for (const id of q.expected) expect(ids.has(id), `${q.q} → ${id}`).toBe(true);
  });
});

describe('synonym table', () => {
  it('has at least 40 groups, each reaching something the catalogue contains (a life event too)', () => {
    const groups = initialSynonyms();
    expect(groups.length).toBeGreaterThanOrEqual(40);
    const text = catalogueItems()
      .flatMap((i) => [i.name, i.department, ...(i.keywords ?? []), ...(i.lifeEvents ?? [])])
      .map(normalize)
      .join('|');
    const orphans = groups.filter((g) => !g.terms.some((t) => text.includes(normalize(t))));
    expect(orphans).toEqual([]);
  });
});

describe('normalisation', () => {
  it('folds full-width letters, case, spaces and punctuation', () => {
    expect(normalize('  ＤＩ bao！ ')).toBe('dibao');
    expect(normalize('申领《四川省老年人优待证》')).toBe('申领四川省老年人优待证');
    expect(normalize('残疾类别/等级变更')).toBe('残疾类别等级变更');
  });

  it('maps normalised characters back to the source', () => {
    const n = normalizeWithMap('申领《优待证》');
    expect(n.text).toBe('申领优待证');
    expect(n.srcStart[2]).toBe(3);
  });

  it('finds the same item for full-width and half-width queries', () => {
    expect(top(index, 'ＳＢＫ', 1)).toEqual(top(index, 'sbk', 1));
    expect(top(index, '低保？', 1)).toEqual(['P001']);
  });
});

describe('pinyin and initials', () => {
  it('computes full pinyin and initials of a name', () => {
    const p = toPinyin('最低生活保障');
    expect(p.full).toBe('zuidishenghuobaozhang');
    expect(p.initials).toBe('zdshbz');
  });

  it('only matches pinyin on a syllable boundary', () => {
    const p = toPinyin('低保');
    expect(findPinyin(p, 'bao')).toEqual([1, 2]);
    expect(findPinyin(p, 'ibao')).toBeUndefined();
  });

  it('finds 最低生活保障 by full pinyin, spaced pinyin and initials', () => {
    expect(top(index, 'zuidishenghuobaozhang', 1)).toEqual(['P001']);
    expect(top(index, 'zui di sheng huo', 1)).toEqual(['P001']);
    expect(top(index, 'zdshbz', 1)).toEqual(['P001']);
  });

  it('finds by the pinyin and initials of a theme what the theme in characters finds (婚姻 → hunyin, hy)', () => {
    const byChars = top(index, '婚姻', 10).sort();
    expect(byChars.length).toBeGreaterThanOrEqual(3);
    expect(top(index, 'hunyin', 10).sort()).toEqual(expect.arrayContaining(byChars));
    expect(top(index, 'hy', 10)).toEqual(expect.arrayContaining(byChars));
  });
});

describe('synonyms', () => {
  const items: SearchableItem[] = [
    { id: 'a', name: '生育登记', department: '卫生健康局' },
    { id: 'b', name: '最低生活保障', department: '民政局' },
    { id: 'c', name: '低保边缘家庭认定', department: '民政局' },
  ];
  const idx = () =>
    buildSearchIndex(items, [
      { terms: ['准生证', '生育登记', '生育服务证'] },
      { terms: ['低保', '最低生活保障'] },
    ]);

  it('finds the official name from the colloquial one', () => {
    expect(top(idx(), '准生证', 1)).toEqual(['a']);
    expect(top(idx(), 'zhunshengzheng', 1)).toEqual(['a']);
    expect(top(idx(), 'zsz', 1)).toEqual(['a']);
  });

  it('finds the colloquial name from the official one', () => {
    expect(top(idx(), '最低生活保障', 2)).toEqual(['b', 'c']);
    expect(top(idx(), '低保', 1)).toEqual(['b']);
  });

  it('highlights the official term in the name when the synonym matched', () => {
    const [hit] = idx().search('准生证');
    expect(hit!.highlights).toEqual([{ field: 'name', value: '生育登记', ranges: [[0, 4]] }]);
  });
});

describe('typo tolerance', () => {
  it('tolerates one wrong character', () => {
    expect(top(index, '最低生活保证', 1)).toEqual(['P001']);
    expect(top(index, '残疾人正', 1)[0]).toMatch(/^P01[5-9]|P020$/);
  });

  it('tolerates one missing character', () => {
    expect(top(index, '最低生保障', 1)).toEqual(['P001']);
    expect(top(index, '离婚登预约', 1)).toEqual(['P013']);
  });

  it('tolerates a homophone', () => {
    expect(top(index, '低宝', 1)).toEqual(['P001']);
  });
});

describe('no results', () => {
  it('returns nothing for gibberish', () => {
    expect(index.search('qxzjvk')).toEqual([]);
    expect(index.search('火星移民签证')).toEqual([]);
    expect(index.search('！？。，')).toEqual([]);
  });

  it('returns nothing for an empty or blank query', () => {
    expect(index.search('')).toEqual([]);
    expect(index.search('   ')).toEqual([]);
    expect(index.search('\u3000\t')).toEqual([]);
  });
});

describe('ranking', () => {
  const items: SearchableItem[] = [
    { id: 'x1', name: '社会保障卡挂失', department: '人社局', popularity: 3 },
    { id: 'x2', name: '社会保障卡解挂', department: '人社局', popularity: 50 },
    { id: 'x3', name: '社会保障卡申领', department: '人社局', popularity: 10 },
  ];

  it('orders equally relevant items by popularity', () => {
    const idx = buildSearchIndex(items, [{ terms: ['社保卡', '社会保障卡'] }]);
    expect(top(idx, '社保卡')).toEqual(['x2', 'x3', 'x1']);
  });

  it('lets the caller pass fresh popularity counts without rebuilding', () => {
    const idx = buildSearchIndex(items, []);
    const popularity = new Map([['x1', 99]]);
    expect(idx.search('社会保障卡', { popularity })[0]!.id).toBe('x1');
  });

  it('puts relevance before popularity', () => {
    const idx = buildSearchIndex(items, []);
    expect(top(idx, '社会保障卡挂失', 1)).toEqual(['x1']);
  });

  it('ranks an exact name above items that merely contain it', () => {
    expect(top(index, '最低生活保障', 2)).toEqual(['P001', 'P004']);
  });
});

describe('highlights', () => {
  it('covers the matched part of the name', () => {
    const [hit] = index.search('低保');
    expect(hit!.id).toBe('P001');
    expect(hit!.highlights).toContainEqual({ field: 'name', value: '最低生活保障', ranges: [[0, 6]] });
  });

  it('maps pinyin and initials matches back to the characters', () => {
    const [byPinyin] = index.search('canjirenzheng');
    const name = byPinyin!.highlights.find((h) => h.field === 'name')!;
    expect(name.value.slice(...name.ranges[0]!)).toBe('残疾人证');
    const [byInitials] = index.search('hkqy');
    const n2 = byInitials!.highlights.find((h) => h.field === 'name')!;
    expect(n2.value.slice(...n2.ranges[0]!)).toBe('户口迁移');
  });

  it('points into the original text around punctuation', () => {
    const [hit] = index.search('老年人优待证');
    expect(hit!.id).toBe('D019');
    const name = hit!.highlights.find((h) => h.field === 'name')!;
    expect(name.value.slice(...name.ranges[0]!)).toBe('老年人优待证');
  });
});

describe('browsing by life event', () => {
  it('lists life events and the items of one', () => {
    const events = index.lifeEvents().map((e) => e.name);
    expect(events).toContain('生育');
    expect(index.browse('生育')).toContain('P040');
    expect(index.search('生育', { limit: 5 }).map((h) => h.id)).toContain('P040');
  });
});

describe('colloquial queries about a life event', () => {
  const tagged = (event: string) =>
    catalogueItems()
      .filter((i) => i.lifeEvents?.includes(event))
      .map((i) => i.id)
      .sort();
  const lifeEventQueries = queryFile.queries.filter(
    (q): q is typeof q & { lifeEvent: string } =>
      typeof (q as { lifeEvent?: unknown }).lifeEvent === 'string',
  );

  it('covers the five life events residents ask about most, in their words', () => {
    const asked = new Map(lifeEventQueries.map((q) => [q.q, q.lifeEvent]));
    expect(asked.get('生孩子')).toBe('生育');
    expect(asked.get('结婚')).toBe('结婚');
    expect(asked.get('快退休了要办什么')).toBe('退休');
    expect(asked.get('老人去世')).toBe('身后事');
    expect(asked.get('孩子上学')).toBe('入学');
  });

  it('names the event of each life-event query, whose items are every item the query expects', () => {
    for (const { q, lifeEvent, expected } of lifeEventQueries) {
      expect(index.lifeEventOf(q), q).toBe(lifeEvent);
      expect(tagged(lifeEvent), q).toEqual([...expected].sort());
    }
  });

  it('finds the event’s items in the ranked results too (the event name reached through a synonym)', () => {
    const born = index.search('生孩子', { limit: 10 }).map((h) => h.id);
    expect(born).toEqual(expect.arrayContaining(['P039', 'P040', 'P077', 'D002']));
    const died = index.search('老人去世', { limit: 10 }).map((h) => h.id);
    expect(died).toEqual(expect.arrayContaining(tagged('身后事')));
  });

  it('indexes synonyms by full pinyin and initials too (老年证 → laonianzheng, lnz; 生孩子 → shenghaizi)', () => {
    expect(top(index, '老年证')).toContain('D019');
    expect(top(index, 'laonianzheng')).toContain('D019');
    expect(top(index, 'lnz')).toContain('D019');
    expect(top(index, 'shenghaizi', 10)).toEqual(expect.arrayContaining(['P039', 'P040']));
    expect(index.lifeEventOf('shenghaizi')).toBe('生育');
  });

  it('names no event for a query about one item or about nothing', () => {
    for (const q of ['残疾人证换领', '住院费用报销', '社保卡挂失', '', '？？', 'xyzzy'])
      expect(index.lifeEventOf(q), q).toBe(null);
  });

  it('keeps every query’s words: 领结婚证 is about 结婚 too, 结婚登记 likewise', () => {
    expect(index.lifeEventOf('结婚登记')).toBe('结婚');
    expect(index.lifeEventOf('要结婚了')).toBe('结婚');
  });
});
