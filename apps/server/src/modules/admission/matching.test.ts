import { describe, expect, it } from 'vitest';
import cases from './data/match-cases.json' with { type: 'json' };
import { shippedListItems } from './lists-data';
import { buildMatcher, MATCH_THRESHOLD, verdict } from './matching';

const items = shippedListItems();
const matcher = buildMatcher(items);
const byCode = new Map(items.map((i) => [i.code, i]));

describe('the shipped lists', () => {
  it('have 14 self-governance, 57 assisting and 10 negative items with unique codes', () => {
    const count = (k: string) => items.filter((i) => i.list === k).length;
    expect([count('self'), count('assist'), count('negative')]).toEqual([14, 57, 10]);
    expect(new Set(items.map((i) => i.code)).size).toBe(items.length);
  });
});

describe('matching request texts against the lists', () => {
  const expected = cases.cases.filter((c) => c.expect !== null);
  const unlisted = cases.cases.filter((c) => c.expect === null);

  it('has at least 60 committed cases, each naming an item that exists', () => {
    expect(cases.cases.length).toBeGreaterThanOrEqual(60);
    for (const c of expected) expect(byCode.has(c.expect!), c.expect!).toBe(true);
    expect(unlisted.length).toBeGreaterThan(0);
  });

  it('finds the right item in the top three for at least 85% of the cases', () => {
    const misses = expected.filter((c) => !matcher.match(c.text, 3).some((m) => m.code === c.expect));
    const accuracy = 1 - misses.length / expected.length;
    if (accuracy < 0.85) console.error('missed:', misses.map((m) => `${m.expect} ${m.text}`).join('\n'));
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('scores nothing above the match threshold for a task on no list', () => {
    for (const c of unlisted) {
      const [best] = matcher.match(c.text, 1);
      expect(best!.score, `${c.text} → ${best!.code}`).toBeLessThan(MATCH_THRESHOLD);
    }
  });

  it('refuses every case written under a negative item, and none written under an assisting one', () => {
    for (const c of expected) {
      const v = verdict(matcher.match(c.text, 5));
      const list = byCode.get(c.expect!)!.list;
      if (list === 'negative')
        expect(v, c.text).toMatchObject({ kind: 'negative', item: { code: c.expect } });
      else expect(v.kind, `${c.text} → ${v.item?.code}`).not.toBe('negative');
    }
    for (const c of unlisted) expect(verdict(matcher.match(c.text, 5)).kind).toBe('none');
  });

  it('answers best first with scores between 0 and 1 and the list each item is on', () => {
    const found = matcher.match('请社区代收居民水费电费', 5);
    expect(found).toHaveLength(5);
    expect(found[0]).toMatchObject({ code: 'FM05', list: 'negative' });
    for (let i = 1; i < found.length; i++) expect(found[i]!.score).toBeLessThanOrEqual(found[i - 1]!.score);
    for (const m of found) expect(m.score).toBeGreaterThanOrEqual(0);
    for (const m of found) expect(m.score).toBeLessThanOrEqual(1);
  });

  it('gives an empty or punctuation-only text no match at all', () => {
    for (const text of ['', '。，！', '   ']) expect(matcher.match(text, 1)[0]!.score).toBe(0);
  });
});
