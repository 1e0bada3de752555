import { randomFillSync } from 'node:crypto';
import { timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * UUID version 7 (RFC 9562): 48-bit millisecond time, then random bits. Ids sort by creation
 * time, so B-tree inserts stay local and `id` doubles as a stable cursor for pagination.
 */
export function uuidv7(now = Date.now()): string {
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(now, 0, 6);
  randomInto(b, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// One call to the system's random source per 256 ids instead of one per id.
const POOL = Buffer.allocUnsafe(10 * 256);
let poolOffset = POOL.length;
function randomInto(target: Buffer, at: number) {
  if (poolOffset + 10 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  POOL.copy(target, at, poolOffset, poolOffset + 10);
  poolOffset += 10;
}

export const tstz = (name?: string) =>
  name
    ? timestamp(name, { withTimezone: true, mode: 'date' })
    : timestamp({ withTimezone: true, mode: 'date' });

/** The columns every business table starts with. */
export const idColumn = () =>
  uuid()
    .primaryKey()
    .$defaultFn(() => uuidv7());
export const districtColumn = () => uuid().notNull();
export const timestamps = () => ({
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow(),
});
