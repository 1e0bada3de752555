/** A normalised string plus, for every kept UTF-16 unit, the source span it came from. */
export interface Normalized {
  text: string;
  /** srcStart[i] / srcEnd[i]: the span in the source string that produced text[i]. */
  srcStart: number[];
  srcEnd: number[];
}

// Letters (CJK included) and digits survive; spaces, punctuation and symbols do not.
const KEEP = /[\p{L}\p{N}]/u;

/**
 * Folds full-width to half-width (NFKC), case, and drops whitespace and punctuation, keeping a map
 * back to the source so highlights can point into the original text.
 */
export function normalizeWithMap(source: string): Normalized {
  let text = '';
  const srcStart: number[] = [];
  const srcEnd: number[] = [];
  let i = 0;
  for (const ch of source) {
    const start = i;
    i += ch.length;
    const folded = ch.normalize('NFKC').toLowerCase().replace(/ü/g, 'v');
    for (const f of folded) {
      if (!KEEP.test(f)) continue;
      for (let k = 0; k < f.length; k++) {
        text += f[k];
        srcStart.push(start);
        srcEnd.push(i);
      }
    }
  }
  return { text, srcStart, srcEnd };
}

/** Normalised text only (see {@link normalizeWithMap}). */
export function normalize(source: string): string {
  return normalizeWithMap(source).text;
}

/** True when the normalised string is pinyin-like: Latin letters (and maybe digits), no CJK. */
export function isLatin(text: string): boolean {
  return /^[a-z0-9]+$/.test(text) && /[a-z]/.test(text);
}

/** True when the string contains at least one CJK ideograph. */
export function hasCjk(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
