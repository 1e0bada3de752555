/**
 * Approximate substring search (Sellers): the best place where `pattern` occurs inside `text` with at most
 * `maxEdits` substitutions, insertions or deletions. Returns [start, end, edits] in `text` or undefined.
 */
export function approxFind(
  pattern: string,
  text: string,
  maxEdits = 1,
): [number, number, number] | undefined {
  const m = pattern.length;
  const n = text.length;
  if (m === 0 || n === 0 || n < m - maxEdits) return undefined;
  // prev[i] / cur[i]: edits to match pattern[0..i) ending at text position j; starts track where the match began.
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  let prevStart = new Array<number>(m + 1);
  let curStart = new Array<number>(m + 1);
  for (let i = 0; i <= m; i++) {
    prev[i] = i;
    prevStart[i] = 0;
  }
  let best: [number, number, number] | undefined;
  for (let j = 1; j <= n; j++) {
    cur[0] = 0;
    curStart[0] = j;
    const c = text.charCodeAt(j - 1);
    for (let i = 1; i <= m; i++) {
      const sub = prev[i - 1]! + (pattern.charCodeAt(i - 1) === c ? 0 : 1);
      const del = prev[i]! + 1;
      const ins = cur[i - 1]! + 1;
      if (sub <= del && sub <= ins) {
        cur[i] = sub;
        curStart[i] = prevStart[i - 1]!;
      } else if (del <= ins) {
        cur[i] = del;
        curStart[i] = prevStart[i]!;
      } else {
        cur[i] = ins;
        curStart[i] = curStart[i - 1]!;
      }
    }
    const edits = cur[m]!;
    if (edits <= maxEdits && (!best || edits < best[2])) best = [curStart[m]!, j, edits];
    [prev, cur] = [cur, prev];
    [prevStart, curStart] = [curStart, prevStart];
  }
  return best;
}
