import { createHash } from 'node:crypto';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

/**
 * Chinese word segmentation (jieba) with a fixed set of domain words. A segmenter's answers depend
 * only on the words it was made with: the guide's index makes one with its synonyms and aliases,
 * the admission matcher uses the plain dictionary, so a synonym an administrator adds (or removes)
 * changes the guide's search and nothing else, and two apps in one process never teach each other.
 */
export interface Segmenter {
  /** Precise-mode segmentation without HMM: unknown runs fall back to single characters. */
  cut(text: string): string[];
  /** Search-mode segmentation: also emits the shorter words inside long ones (残疾人 → 残疾, 残疾人). */
  cutForSearch(text: string): string[];
}

// Loading the default dictionary costs ~150 ms: segmenters are kept by their word set, a few at a
// time (a catalogue edit makes a new set; the one it replaced ages out).
const MAX_KEPT = 6;
const kept = new Map<string, Segmenter>();

function make(words: string[]): Segmenter {
  const jieba = Jieba.withDict(dict);
  if (words.length > 0) jieba.loadDict(Buffer.from(`${words.map((w) => `${w} 200000 n`).join('\n')}\n`));
  return {
    cut: (text) => jieba.cut(text, false),
    cutForSearch: (text) => jieba.cutForSearch(text, false),
  };
}

/** The segmenter that knows `words` (domain words such as synonyms and aliases) besides the dictionary. */
export function segmenterWith(words: Iterable<string> = []): Segmenter {
  const usable = [...new Set([...words].filter((w) => w.length >= 2 && !/\s/.test(w)))].sort();
  const key = createHash('sha256').update(usable.join('\n')).digest('base64url');
  let s = kept.get(key);
  if (s) {
    kept.delete(key);
  } else {
    s = make(usable);
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
  }
  kept.set(key, s);
  return s;
}
