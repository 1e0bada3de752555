import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

let jieba: Jieba | undefined;
const userWords = new Set<string>();

// The default dictionary costs ~150 ms to load: do it once per process, on first use.
function instance(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** Teaches the segmenter domain words (synonyms, aliases) so queries like 老年证在哪办 split well. */
export function addUserWords(words: Iterable<string>): void {
  const fresh: string[] = [];
  for (const w of words) {
    if (w.length >= 2 && !userWords.has(w) && !/\s/.test(w)) {
      userWords.add(w);
      fresh.push(`${w} 200000 n`);
    }
  }
  if (fresh.length > 0) instance().loadDict(Buffer.from(`${fresh.join('\n')}\n`));
}

/** Precise-mode segmentation without HMM: unknown runs fall back to single characters. */
export function cut(text: string): string[] {
  return instance().cut(text, false);
}

/** Search-mode segmentation: also emits the shorter words inside long ones (残疾人 → 残疾, 残疾人). */
export function cutForSearch(text: string): string[] {
  return instance().cutForSearch(text, false);
}
