import { pinyin } from 'pinyin-pro';

/** Full pinyin (toneless, ü as v) and initials of a normalised string, one syllable per character. */
export interface PinyinForm {
  /** Concatenated syllables, e.g. 低保 → dibao. */
  full: string;
  /** Offset in `full` where each character's syllable starts (length = text length + 1). */
  starts: number[];
  /** One letter per character, e.g. 低保 → db. */
  initials: string;
}

/** Converts a normalised string (see service-guide/search/normalize.ts) into its pinyin forms; non-Chinese chars stay as they are. */
export function toPinyin(text: string): PinyinForm {
  const parts = pinyin(text, { type: 'all', toneType: 'none', v: true });
  const syllables: string[] =
    parts.length === text.length
      ? parts.map((p) => (p.isZh && p.pinyin ? p.pinyin : p.origin).toLowerCase())
      : // astral characters make pinyin-pro's array shorter than the string: go char by char
        Array.from(
          { length: text.length },
          (_, i) => pinyin(text[i]!, { toneType: 'none', v: true }) || text[i]!,
        );
  let full = '';
  let initials = '';
  const starts: number[] = [];
  for (const s of syllables) {
    starts.push(full.length);
    full += s;
    initials += s[0] ?? '';
  }
  starts.push(full.length);
  return { full, starts, initials };
}

/**
 * Finds `q` inside `form.full` starting on a syllable boundary (so `bao` matches 保 but `ibao` matches
 * nothing); returns the covered character range [start, end) or undefined.
 */
export function findPinyin(form: PinyinForm, q: string): [number, number] | undefined {
  let from = form.full.indexOf(q);
  while (from !== -1) {
    const startChar = form.starts.indexOf(from);
    if (startChar !== -1 && startChar < form.starts.length - 1) {
      const endOffset = from + q.length;
      let endChar = startChar;
      while (endChar < form.starts.length - 1 && form.starts[endChar]! < endOffset) endChar++;
      return [startChar, endChar];
    }
    from = form.full.indexOf(q, from + 1);
  }
  return undefined;
}
