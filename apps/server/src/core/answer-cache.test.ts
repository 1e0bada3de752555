import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANSWER_CACHE_TTL_MS, AnswerCache, writeGeneration, writesHappened } from './answer-cache';

// The rules of the cache itself; the route that uses it is tested over HTTP in
// modules/cases/case-answers.test.ts.

let appNow = Date.parse('2026-11-27T02:00:00Z');
const cache = (max?: number) => new AnswerCache(() => appNow, max);

function realTimePasses(ms: number) {
  const real = performance.now.bind(performance);
  vi.spyOn(performance, 'now').mockImplementation(() => real() + ms);
}

afterEach(() => vi.restoreAllMocks());

describe('AnswerCache', () => {
  it('answers what was put under the same key, and nothing under another', () => {
    const c = cache();
    c.put('s1:case', '{"a":1}', writeGeneration());
    expect(c.get('s1:case')).toBe('{"a":1}');
    expect(c.get('s2:case')).toBeUndefined();
    expect(c.hits).toBe(1);
  });

  it('refuses an answer whose reads began before a write: a read that raced a commit', () => {
    const c = cache();
    const readFrom = writeGeneration();
    writesHappened();
    c.put('k', 'old state', readFrom);
    expect(c.get('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops every answer at the next write', () => {
    const c = cache();
    c.put('a', '1', writeGeneration());
    c.put('b', '2', writeGeneration());
    writesHappened();
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeUndefined();
  });

  it('keeps an answer for the TTL of real time, not longer', () => {
    const c = cache();
    c.put('k', 'v', writeGeneration());
    realTimePasses(ANSWER_CACHE_TTL_MS - 50);
    expect(c.get('k')).toBe('v');
    vi.restoreAllMocks();
    realTimePasses(ANSWER_CACHE_TTL_MS + 50);
    expect(c.get('k')).toBeUndefined();
  });

  it('keeps an answer for the TTL of app-clock time, not longer, and not if the clock went back', () => {
    const c = cache();
    c.put('k', 'v', writeGeneration());
    appNow += ANSWER_CACHE_TTL_MS;
    expect(c.get('k')).toBe('v');
    appNow += 1;
    expect(c.get('k')).toBeUndefined();
    c.put('k', 'v', writeGeneration());
    appNow -= 1;
    expect(c.get('k')).toBeUndefined();
  });

  it('holds at most its size, dropping the oldest first', () => {
    const c = cache(2);
    c.put('a', '1', writeGeneration());
    c.put('b', '2', writeGeneration());
    c.put('c', '3', writeGeneration());
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe('2');
    expect(c.get('c')).toBe('3');
  });
});
