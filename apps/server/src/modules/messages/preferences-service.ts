import type {
  EventPreference,
  NotificationPreferences,
  NotificationPreferencesUpdate,
  SmsMode,
} from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import { AppError } from '../../core/errors';
import type { NotificationEventDefinition } from '../../core/module';
import { activeAccountPhones } from '../identity/lookups';
import { notificationEvents } from './catalogue';
import { dailyDigest } from './events';
import { notificationPreferences, notificationSettings } from './schema';
import type { MessageDeps } from './service';
import { wechatClient, WechatError } from './wechat';

/**
 * Who hears of what, how: per person and event, texts at once, in the morning digest, or not at
 * all, and WeChat on or off (the in-app message is always written); and the language their
 * notifications are written in. Residents choose among the events residents receive; staff among
 * all (a staff member may also report a case and follow it).
 */

function accountOf(ctx: RequestContext): string {
  const accountId = ctx.actor.accountId;
  if (!accountId) throw AppError.unauthenticated();
  return accountId;
}

/** The SMS choices an event offers: none without texts; the digest itself cannot be digested. */
function smsModes(e: NotificationEventDefinition): SmsMode[] {
  if (!e.sms) return [];
  return e.code === dailyDigest.code ? ['immediate', 'off'] : ['immediate', 'digest', 'off'];
}

/** The events a person receives (some only in the app: nothing to choose for them but the filter). */
async function eventsFor(ctx: RequestContext): Promise<NotificationEventDefinition[]> {
  return [...(await notificationEvents()).values()].filter(
    (e) => !e.oneTimeCode && (ctx.actor.kind === 'staff' || e.audience === 'resident'),
  );
}

export async function getMyPreferences(
  deps: MessageDeps,
  ctx: RequestContext,
): Promise<NotificationPreferences> {
  const accountId = accountOf(ctx);
  const [settings] = await deps.db
    .select()
    .from(notificationSettings)
    .where(eq(notificationSettings.accountId, accountId));
  const chosen = new Map(
    (
      await deps.db
        .select()
        .from(notificationPreferences)
        .where(eq(notificationPreferences.accountId, accountId))
    ).map((p) => [p.eventCode, p]),
  );
  const phone = (await activeAccountPhones(deps.db, [accountId])).get(accountId);
  const events: EventPreference[] = (await eventsFor(ctx)).map((e) => {
    const p = chosen.get(e.code);
    const defaults = { sms: e.sms ? e.defaults.sms : null, wechat: e.wechat ? e.defaults.wechat : null };
    return {
      code: e.code,
      module: e.code.split('.')[0]!,
      name: { zh: e.name['zh-CN'], en: e.name.en },
      audience: e.audience,
      sms: e.sms ? (p?.sms ?? e.defaults.sms) : null,
      smsModes: smsModes(e),
      wechat: e.wechat ? (p?.wechat ?? e.defaults.wechat) : null,
      defaults,
    };
  });
  return {
    locale: settings?.locale ?? 'zh-CN',
    hasPhone: !!phone,
    wechatAvailable: !!deps.config.wechat,
    wechatBound: !!settings?.wechatOpenid,
    events,
  };
}

/** Saves the person's choices (only what the body names), audited, and answers them all. */
export async function updateMyPreferences(
  deps: MessageDeps,
  ctx: RequestContext,
  body: NotificationPreferencesUpdate,
): Promise<NotificationPreferences> {
  const accountId = accountOf(ctx);
  const mine = new Map((await eventsFor(ctx)).map((e) => [e.code, e]));
  const errors: { field: string; message: string; code: string }[] = [];
  const seen = new Set<string>();
  (body.events ?? []).forEach((c, i) => {
    const e = mine.get(c.code);
    if (!e)
      errors.push({ field: `body/events/${i}/code`, message: 'is not an event you receive', code: 'enum' });
    else if (seen.has(c.code))
      errors.push({ field: `body/events/${i}/code`, message: 'is named twice', code: 'uniqueItems' });
    else {
      if (c.sms !== undefined && !e.sms && c.sms !== 'off')
        errors.push({ field: `body/events/${i}/sms`, message: 'this event sends no texts', code: 'enum' });
      else if (c.sms !== undefined && e.sms && !smsModes(e).includes(c.sms))
        errors.push({
          field: `body/events/${i}/sms`,
          message: `must be one of ${smsModes(e).join(', ')}`,
          code: 'enum',
        });
      if (c.wechat === true && !e.wechat)
        errors.push({
          field: `body/events/${i}/wechat`,
          message: 'this event sends no WeChat messages',
          code: 'enum',
        });
    }
    seen.add(c.code);
  });
  if (errors.length)
    throw AppError.validation(errors, `Invalid fields: ${errors.map((e) => e.field).join(', ')}.`);

  const before = await getMyPreferences(deps, ctx);
  const now = deps.clock.now();
  const current = new Map(before.events.map((e) => [e.code, e]));
  const changes = (body.events ?? []).map((c) => {
    const was = current.get(c.code)!;
    return {
      accountId,
      eventCode: c.code,
      sms: (c.sms ?? was.sms ?? 'off') as SmsMode,
      wechat: c.wechat ?? was.wechat ?? false,
      updatedAt: now,
    };
  });
  await deps.db.transaction(async (tx) => {
    if (body.locale) {
      await tx
        .insert(notificationSettings)
        .values({ accountId, locale: body.locale, updatedAt: now })
        .onConflictDoUpdate({
          target: notificationSettings.accountId,
          set: { locale: body.locale, updatedAt: now },
        });
    }
    if (changes.length) {
      await tx
        .insert(notificationPreferences)
        .values(changes)
        .onConflictDoUpdate({
          target: [notificationPreferences.accountId, notificationPreferences.eventCode],
          set: { sms: sql`excluded.sms`, wechat: sql`excluded.wechat`, updatedAt: now },
        });
    }
    await writeAudit(tx, ctx, {
      action: 'notification_preferences.update',
      entityType: 'account',
      entityId: accountId,
      districtId: ctx.actor.districtId,
      before: {
        ...(body.locale ? { locale: before.locale } : {}),
        ...Object.fromEntries(changes.map((c) => [c.eventCode, pick(current.get(c.eventCode)!)])),
      },
      after: {
        ...(body.locale ? { locale: body.locale } : {}),
        ...Object.fromEntries(changes.map((c) => [c.eventCode, { sms: c.sms, wechat: c.wechat }])),
      },
    });
  });
  return getMyPreferences(deps, ctx);
}

const pick = (e: EventPreference) => ({ sms: e.sms, wechat: e.wechat });

/**
 * Binds the person's WeChat openid from a mini-program login code (`wx.login` → the server asks
 * WeChat's `jscode2session`), so subscription messages can reach them. One openid belongs to one
 * account: binding it here unbinds it elsewhere.
 */
export async function bindWechat(deps: MessageDeps, ctx: RequestContext, code: string) {
  const accountId = accountOf(ctx);
  const client = wechatClient(deps.config);
  if (!client)
    throw AppError.conflict(
      'wechat-unavailable',
      'WeChat is not configured on this server (WECHAT_APPID, WECHAT_SECRET).',
    );
  let openid: string;
  try {
    openid = await client.openidOfCode(code);
  } catch (err) {
    if (err instanceof WechatError && err.permanent)
      throw AppError.badRequest('wechat-code-invalid', 'WeChat did not accept the login code.', [
        { field: 'body/code', message: `refused by WeChat (${err.code})`, code: 'wechat-code-invalid' },
      ]);
    throw new AppError(503, 'unavailable', 'WeChat could not be reached; try again shortly.');
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // The openid moves to this account if another had it (a phone handed on, a second account).
    await tx
      .update(notificationSettings)
      .set({ wechatOpenid: null, wechatBoundAt: null, updatedAt: now })
      .where(
        sql`${notificationSettings.wechatOpenid} = ${openid} AND ${notificationSettings.accountId} <> ${accountId}`,
      );
    await tx
      .insert(notificationSettings)
      .values({ accountId, wechatOpenid: openid, wechatBoundAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: notificationSettings.accountId,
        set: { wechatOpenid: openid, wechatBoundAt: now, updatedAt: now },
      });
    await writeAudit(tx, ctx, {
      action: 'wechat_binding.bind',
      entityType: 'account',
      entityId: accountId,
      districtId: ctx.actor.districtId,
      after: { wechatBound: true },
    });
  });
  return { wechatBound: true };
}

/** Unbinds the person's WeChat: no more subscription messages. */
export async function unbindWechat(deps: MessageDeps, ctx: RequestContext) {
  const accountId = accountOf(ctx);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const changed = await tx
      .update(notificationSettings)
      .set({ wechatOpenid: null, wechatBoundAt: null, updatedAt: now })
      .where(
        sql`${notificationSettings.accountId} = ${accountId} AND ${notificationSettings.wechatOpenid} IS NOT NULL`,
      )
      .returning({ accountId: notificationSettings.accountId });
    if (changed.length)
      await writeAudit(tx, ctx, {
        action: 'wechat_binding.unbind',
        entityType: 'account',
        entityId: accountId,
        districtId: ctx.actor.districtId,
        before: { wechatBound: true },
        after: { wechatBound: false },
      });
  });
  return { wechatBound: false };
}
