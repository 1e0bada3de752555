/**
 * Preloaded into a Linli server by `bench/writepath.ts` on the embedded database (never by the
 * server itself): counts the statements the process sends to PGlite, which has no
 * pg_stat_statements. Every `query`, `exec` and transaction statement of PGlite (BEGIN and COMMIT
 * included) runs through `_runExclusiveQuery`, its one-connection mutex; the count is served as
 * plain text on 127.0.0.1:WRITEPATH_COUNT_PORT.
 */
import http from 'node:http';
import { PGlite } from '@electric-sql/pglite';

let count = 0;
type Run = (fn: () => Promise<unknown>) => Promise<unknown>;
const proto = PGlite.prototype as unknown as { _runExclusiveQuery: Run };
const inner = proto._runExclusiveQuery;
if (typeof inner !== 'function') throw new Error('pglite-count: PGlite has no _runExclusiveQuery to count');
proto._runExclusiveQuery = function (this: unknown, fn) {
  count++;
  return inner.call(this, fn);
};
const port = Number(process.env.WRITEPATH_COUNT_PORT);
if (port) http.createServer((_req, res) => res.end(String(count))).listen(port, '127.0.0.1');
