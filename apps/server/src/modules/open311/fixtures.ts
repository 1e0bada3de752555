import { randomBytes } from 'node:crypto';
import type { Db } from '../../core/db/client';
import { defaultDistrict } from '../identity/lookups';
import { insertKey } from './queries';
import { hashKey } from './service';

/** A partner app's key for tests: `buildKey(db, { batch: true })` → the row and its plain key. */
export async function buildKey(
  db: Db,
  overrides: { partnerName?: string; batch?: boolean; revokedAt?: Date | null; districtId?: string } = {},
) {
  const key = `o311_test_${randomBytes(12).toString('base64url')}`;
  const row = await insertKey(db, {
    districtId: overrides.districtId ?? (await defaultDistrict(db)),
    partnerName: overrides.partnerName ?? '测试合作应用',
    keyHash: hashKey(key),
    keyPrefix: key.slice(0, 9),
    batch: overrides.batch ?? false,
    revokedAt: overrides.revokedAt ?? null,
  });
  return { key, row };
}
