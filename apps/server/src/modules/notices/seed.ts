import { writeAudit } from '../../core/audit';
import { systemClock, type Clock } from '../../core/clock';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import demo from './data/demo-notices.json' with { type: 'json' };
import { countNotices, findUnitByName, insertNotice } from './queries';

/**
 * Demo notices (LINLI_DEMO) for 家和社区 and 翰林社区, plus one district-wide notice that both see.
 * Loaded once: does nothing when any notice exists. Returns how many it created.
 */
export async function seedDemoNotices(db: Db, clock: Clock = systemClock): Promise<number> {
  if ((await countNotices(db)) > 0) return 0;
  const now = clock.now().getTime();
  let created = 0;
  await db.transaction(async (tx) => {
    for (const n of demo.notices) {
      const unit = await findUnitByName(tx, n.unit);
      if (!unit) continue;
      // Whole minutes, so the demo times read naturally (14:05, not 14:05:37).
      const at = new Date(Math.floor((now - n.hoursAgo * 3_600_000) / 60_000) * 60_000);
      const row = await insertNotice(tx, {
        districtId: unit.districtId,
        orgUnitId: unit.id,
        title: n.title,
        body: n.body,
        pinned: n.pinned,
        status: 'published',
        publishedAt: at,
        createdAt: at,
        updatedAt: at,
      });
      await writeAudit(tx, systemContext(unit.districtId), {
        action: 'notice.seed',
        entityType: 'notice',
        entityId: row.id,
        orgUnitId: unit.id,
        districtId: unit.districtId,
        after: { title: row.title, pinned: row.pinned, status: row.status },
      });
      created++;
    }
  });
  return created;
}
