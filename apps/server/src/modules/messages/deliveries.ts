import { and, eq, gt, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import type { Db, Executor } from '../../core/db/client';
import { enqueueJob, enqueueJobs, type JobContext, type JobDefinition } from '../../core/jobs';
import type { NotificationEventDefinition, NotificationLocale, SmsMode } from '../../core/module';
import { type EventData, render, renderSms, renderWechat } from '../../core/notify-templates';
import { SmsSendError, smsProvider } from '../../core/sms';
import type { MetricCollector } from '../../core/metrics';
import { accountPhone, activeAccountPhones } from '../identity/lookups';
import { eventByCode, notificationEvents } from './catalogue';
import { dailyDigest } from './events';
import { beijingDay, quietUntil } from './quiet-hours';
import {
  type DeliveryRow,
  messages,
  notificationDeliveries,
  notificationPreferences,
  notificationSettings,
} from './schema';
import { WechatError, wechatClient } from './wechat';

/**
 * The outbox's sender: the job runner runs `messages.deliver` for each queued delivery. See the
 * module README for the states a delivery goes through.
 */

export const DELIVER_JOB = 'messages.deliver';
/** Attempts a delivery gets for errors that may pass (throttling, timeouts) before it is dead. */
export const DELIVERY_MAX_ATTEMPTS = 6;

/** Queues the job that sends a delivery, in the caller's transaction; `runAt` holds it (quiet hours). */
export async function queueDelivery(tx: Executor, deliveryId: string, runAt?: Date, hold = false) {
  await enqueueJob(tx, deliveryJob(deliveryId, runAt, hold));
}

/** Queues the jobs of many new deliveries in one statement (the hub's batches). */
export async function queueDeliveries(tx: Executor, deliveryIds: readonly string[], runAt?: Date) {
  await enqueueJobs(
    tx,
    deliveryIds.map((id) => deliveryJob(id, runAt, false)),
  );
}

function deliveryJob(deliveryId: string, runAt: Date | undefined, hold: boolean) {
  return {
    name: DELIVER_JOB,
    payload: { deliveryId },
    runAt,
    // A held delivery is queued again for the morning: a new key, the first job is done.
    idempotencyKey:
      hold && runAt ? `${DELIVER_JOB}:${deliveryId}@${runAt.toISOString()}` : `${DELIVER_JOB}:${deliveryId}`,
    maxAttempts: DELIVERY_MAX_ATTEMPTS,
  };
}

type Outcome = 'sent' | 'held' | 'failed' | 'dead' | 'missing';

/** What a failure was: one a retry will not change, or one that may pass. */
function classify(err: unknown): { permanent: boolean; code: string; message: string } {
  if (err instanceof SmsSendError || err instanceof WechatError)
    return { permanent: err.permanent, code: err.code, message: err.message };
  return { permanent: false, code: 'error', message: err instanceof Error ? err.message : String(err) };
}

/** A refusal decided here, before any provider is asked. */
const refused = (code: string, message: string) => new SmsSendError(true, code, message);

/**
 * Sends one delivery: a text through the configured SMS provider, or a WeChat subscription
 * message. A text due in quiet hours is held until they end. A refusal that a retry will not
 * change is recorded (`failed`) and the job ends; any other error is recorded (`retrying`, or
 * `dead` on the last attempt) and thrown, so the job runner retries it with back-off.
 */
export async function deliver(
  ctx: Pick<JobContext, 'db' | 'clock' | 'config' | 'log'>,
  deliveryId: string,
): Promise<Outcome> {
  const [d] = await ctx.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.id, deliveryId))
    .limit(1);
  if (!d) return 'missing';
  if (d.status === 'sent' || d.status === 'failed' || d.status === 'dead') return d.status;
  const now = ctx.clock.now();
  if (d.channel === 'sms') {
    const hold = quietUntil(now, ctx.config.sms.quietHours);
    if (hold) {
      await ctx.db.transaction(async (tx) => {
        await tx
          .update(notificationDeliveries)
          .set({ notBefore: hold, updatedAt: now })
          .where(eq(notificationDeliveries.id, d.id));
        await queueDelivery(tx, d.id, hold, true);
      });
      return 'held';
    }
  }
  let providerId: string | null;
  try {
    const def = await eventByCode(d.eventCode);
    if (!def) throw refused('unknown-event', `no module declares the event ${d.eventCode}`);
    providerId = d.channel === 'sms' ? await sendText(ctx, d, def) : await sendWechat(ctx, d, def, now);
  } catch (err) {
    const { permanent, code, message } = classify(err);
    const attempts = d.attempts + 1;
    const status = permanent ? 'failed' : attempts >= DELIVERY_MAX_ATTEMPTS ? 'dead' : 'retrying';
    await ctx.db
      .update(notificationDeliveries)
      .set({ status, attempts, errorCode: code, lastError: message.slice(0, 500), updatedAt: now })
      .where(eq(notificationDeliveries.id, d.id));
    ctx.log.warn(
      { deliveryId: d.id, channel: d.channel, code, attempts, status },
      'notification not delivered',
    );
    if (permanent) return 'failed';
    throw err;
  }
  await ctx.db
    .update(notificationDeliveries)
    .set({
      status: 'sent',
      attempts: d.attempts + 1,
      providerId,
      sentAt: now,
      errorCode: null,
      lastError: null,
      updatedAt: now,
    })
    .where(eq(notificationDeliveries.id, d.id));
  return 'sent';
}

async function sendText(
  ctx: Pick<JobContext, 'db' | 'config' | 'log'>,
  d: DeliveryRow,
  def: NotificationEventDefinition,
): Promise<string | null> {
  const phone = await accountPhone(ctx.db, d.accountId);
  if (!phone) throw refused('no-phone', 'the account has no mobile number (any more)');
  const message = renderSms(def, d.data as EventData<string>, d.locale, {
    signName: ctx.config.sms.signName,
    override: ctx.config.notifyTemplateIds[def.code],
  });
  if (!message) throw refused('no-template', `${def.code} has no SMS template`);
  return (await smsProvider(ctx.config, ctx.log).send(phone, message)).providerId;
}

async function sendWechat(
  ctx: Pick<JobContext, 'db' | 'config'>,
  d: DeliveryRow,
  def: NotificationEventDefinition,
  now: Date,
): Promise<string | null> {
  const client = wechatClient(ctx.config);
  if (!client) throw refused('wechat-unavailable', 'WeChat is not configured (WECHAT_APPID, WECHAT_SECRET)');
  const [s] = await ctx.db
    .select({ openid: notificationSettings.wechatOpenid })
    .from(notificationSettings)
    .where(eq(notificationSettings.accountId, d.accountId));
  if (!s?.openid) throw refused('not-bound', 'the account has no WeChat openid bound');
  const message = renderWechat(
    def,
    d.data as EventData<string>,
    d.locale,
    ctx.config.notifyTemplateIds[def.code],
  );
  if (!message) throw refused('no-template', `${def.code} has no WeChat template`);
  return (
    await client.sendSubscribeMessage(s.openid, message, d.locale === 'en' ? 'en_US' : 'zh_CN', now.getTime())
  ).providerId;
}

/** The job runner's handler for queued deliveries. */
export const deliverJob: JobDefinition<{ deliveryId: string }> = {
  name: DELIVER_JOB,
  maxAttempts: DELIVERY_MAX_ATTEMPTS,
  // 30 s, 1 min, 2 min, 4 min, 8 min: a throttled provider gets room, a text is not hours late.
  backoffMs: 30_000,
  // Longer than one provider request may take (NOTIFY_TIMEOUT_SECONDS), plus a token fetch.
  timeoutMs: 150_000,
  async run(ctx, payload) {
    try {
      const outcome = await deliver(ctx, payload.deliveryId);
      countDelivery(outcome);
      return outcome;
    } catch (err) {
      countDelivery('error');
      throw err;
    }
  },
};

/** Delivery attempts this process made, by outcome (`/metrics`: linli_messages_delivery_attempts_total). */
const deliveryCounts = new Map<Outcome | 'error', number>();
function countDelivery(outcome: Outcome | 'error') {
  deliveryCounts.set(outcome, (deliveryCounts.get(outcome) ?? 0) + 1);
}

export const deliveryCollectors = (): MetricCollector[] => [
  {
    name: 'linli_messages_delivery_attempts_total',
    help: 'Texts and WeChat messages this process tried to send, by outcome (sent; held for quiet hours; failed for good; error: to be retried, or dead on the last attempt)',
    type: 'counter',
    collect: () => [...deliveryCounts].map(([outcome, value]) => ({ labels: { outcome }, value })),
  },
];

// ---------- the daily digest ----------

export const DIGEST_JOB = 'messages.dailyDigest';

/** A person's SMS mode for each event, from their choices and the events' defaults. */
function smsModeOf(def: NotificationEventDefinition, chosen: SmsMode | undefined): SmsMode {
  if (!def.sms) return 'off';
  return chosen ?? def.defaults.sms;
}

/**
 * The morning digest: for each person with unread messages of events they get as a digest,
 * written in the last 24 hours and since their last digest, one text counting them (and naming
 * the events), queued like any other delivery. Nobody with nothing pending gets a text. At most
 * one digest per person per Beijing day, however often it runs.
 */
export async function runDailyDigest(deps: { db: Db; clock: Clock }): Promise<{ queued: number }> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const counts = await deps.db
    .select({
      accountId: messages.accountId,
      eventCode: messages.eventCode,
      n: sql<number>`count(*)::int`,
    })
    .from(messages)
    .where(
      and(
        isNull(messages.readAt),
        isNotNull(messages.eventCode),
        gt(messages.createdAt, since),
        lte(messages.createdAt, now),
        // Only what came after the person's last digest (a slot run late does not count twice).
        sql`${messages.createdAt} > coalesce((
          SELECT max(d.created_at) FROM ${notificationDeliveries} d
          WHERE d.account_id = ${messages.accountId} AND d.event_code = ${dailyDigest.code}
        ), '-infinity'::timestamptz)`,
      ),
    )
    .groupBy(messages.accountId, messages.eventCode);
  if (counts.length === 0) return { queued: 0 };
  const accountIds = [...new Set(counts.map((c) => c.accountId))];
  const [prefs, settings, phones] = await Promise.all([
    deps.db
      .select()
      .from(notificationPreferences)
      .where(inArray(notificationPreferences.accountId, accountIds)),
    deps.db.select().from(notificationSettings).where(inArray(notificationSettings.accountId, accountIds)),
    activeAccountPhones(deps.db, accountIds),
  ]);
  const chosen = new Map(prefs.map((p) => [`${p.accountId} ${p.eventCode}`, p.sms]));
  const localeOf = new Map(settings.map((s) => [s.accountId, s.locale]));
  const events = await notificationEvents();
  const pending = new Map<string, { def: NotificationEventDefinition; n: number }[]>();
  for (const c of counts) {
    const def = events.get(c.eventCode!);
    if (!def || smsModeOf(def, chosen.get(`${c.accountId} ${c.eventCode}`)) !== 'digest') continue;
    const list = pending.get(c.accountId) ?? [];
    list.push({ def, n: Number(c.n) });
    pending.set(c.accountId, list);
  }
  const day = beijingDay(now);
  const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
  for (const [accountId, list] of pending) {
    // No number, or the person turned the digest itself off.
    if (!phones.get(accountId) || chosen.get(`${accountId} ${dailyDigest.code}`) === 'off') continue;
    list.sort((a, b) => b.n - a.n || a.def.code.localeCompare(b.def.code));
    const count = list.reduce((s, e) => s + e.n, 0);
    const data = {
      count,
      summary: {
        'zh-CN': list.map((e) => `${e.def.name['zh-CN']}${e.n}条`).join('、'),
        en: list.map((e) => `${e.def.name.en} ${e.n}`).join(', '),
      },
    };
    const locale: NotificationLocale = localeOf.get(accountId) ?? 'zh-CN';
    rows.push({
      accountId,
      messageId: null,
      eventCode: dailyDigest.code,
      channel: 'sms',
      locale,
      data,
      preview: render(dailyDigest.sms!.text[locale], data, locale),
      notBefore: now,
      dedupeKey: `digest:${accountId}:${day}`,
      createdAt: now,
      updatedAt: now,
    });
  }
  if (rows.length === 0) return { queued: 0 };
  return deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(notificationDeliveries)
      .values(rows)
      .onConflictDoNothing({ target: notificationDeliveries.dedupeKey })
      .returning({ id: notificationDeliveries.id });
    for (const r of inserted) await queueDelivery(tx, r.id, now);
    return { queued: inserted.length };
  });
}

/** The digest, every morning at 08:30 Beijing time (after quiet hours end). */
export const dailyDigestJob: JobDefinition = {
  name: DIGEST_JOB,
  schedule: { cron: '30 8 * * *' },
  run: (ctx) => runDailyDigest(ctx),
};
