import type { Permission } from '@linli/contracts';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import type { NotificationEventDefinition, NotificationLocale, SmsMode } from '../../core/module';
import { type EventData, render, renderInApp, renderWechat } from '../../core/notify-templates';
import { rolesHolding } from '../../core/roles';
import { activeAccountPhones, grantsWithRolesAt, orgUnitsByIds, pathIds } from '../identity/lookups';
import { eventByCode } from './catalogue';
import { queueDeliveries } from './deliveries';
import { messages, notificationDeliveries } from './schema';

/**
 * The notification hub: the one way a module reaches people. Called inside the module's own
 * transaction, so the event, its messages and its outbox commit (or roll back) together:
 *
 * - writes the in-app message of each recipient (resident 消息, console inbox), rendered in
 *   their language (zh-CN unless they chose English);
 * - queues a delivery for each further channel the recipient has and wants (a text to their
 *   mobile number; a WeChat subscription message to their bound openid), which the job runner
 *   sends (`messages.deliver`), holding texts through quiet hours;
 * - a person who chose the digest for this event gets no text now: the 08:30 digest counts it.
 *
 * `event` is the definition the emitting module declares in its manifest (its `events.ts`), so
 * `data` is type-checked against the event's variables; an event no manifest declares is refused.
 */
export async function notify<V extends string>(
  tx: Executor,
  recipients: Iterable<string | null | undefined>,
  event: NotificationEventDefinition<V>,
  data: EventData<V>,
  opts: { at?: Date } = {},
): Promise<{ messages: number; deliveries: number }> {
  return notifyEach(tx, event, [{ recipients, data }], opts);
}

/**
 * `notify` for many occurrences of one event at once (a batch of SLA breaches), each with its own
 * recipients and data: the recipients are read once, the messages, the deliveries and their
 * jobs are written in one statement each, whatever the batch's size.
 */
export async function notifyEach<V extends string>(
  tx: Executor,
  event: NotificationEventDefinition<V>,
  items: readonly { recipients: Iterable<string | null | undefined>; data: EventData<V> }[],
  opts: { at?: Date } = {},
): Promise<{ messages: number; deliveries: number }> {
  const declared = await eventByCode(event.code);
  if (declared !== (event as NotificationEventDefinition))
    throw new Error(`notification event ${event.code} is not declared in any module's manifest`);
  if (event.oneTimeCode) throw new Error(`${event.code} is a one-time code: identity sends it, not notify()`);
  const each = items.map((item) => ({
    ids: [...new Set([...item.recipients].filter((r): r is string => !!r))],
    vars: item.data as Readonly<Record<string, unknown>> as EventData<string>,
  }));
  const all = [...new Set(each.flatMap((e) => e.ids))];
  if (all.length === 0) return { messages: 0, deliveries: 0 };
  const at = opts.at ?? new Date();
  const known = new Map((await recipientsOf(tx, all, event)).map((p) => [p.accountId, p]));
  const sends = each.flatMap(({ ids, vars }) =>
    ids.flatMap((id) => {
      const p = known.get(id);
      return p ? [{ p, vars }] : [];
    }),
  );

  const messageRows = event.inApp
    ? sends.map(({ p, vars }) => {
        const m = renderInApp(event, vars, p.locale)!;
        // The id is made here, so each send knows its message (one person may be in several).
        return { id: uuidv7(), accountId: p.accountId, eventCode: event.code, ...m, createdAt: at };
      })
    : [];
  if (messageRows.length) await tx.insert(messages).values(messageRows);

  const deliveries: (typeof notificationDeliveries.$inferInsert)[] = [];
  sends.forEach(({ p, vars }, i) => {
    const base = {
      accountId: p.accountId,
      messageId: messageRows[i]?.id ?? null,
      eventCode: event.code,
      locale: p.locale,
      data: vars as Record<string, unknown>,
      notBefore: at,
      createdAt: at,
      updatedAt: at,
    };
    if (event.sms && p.smsMode === 'immediate' && p.phone)
      deliveries.push({ ...base, channel: 'sms', preview: render(event.sms.text[p.locale], vars, p.locale) });
    const wechat = p.wechat && p.openid ? renderWechat(event, vars, p.locale) : null;
    if (wechat)
      deliveries.push({
        ...base,
        channel: 'wechat',
        preview: Object.values(wechat.data)
          .map((d) => d.value)
          .join(' · '),
      });
  });
  if (deliveries.length) {
    const rows = await tx
      .insert(notificationDeliveries)
      .values(deliveries)
      .returning({ id: notificationDeliveries.id });
    await queueDeliveries(
      tx,
      rows.map((r) => r.id),
      at,
    );
  }
  return { messages: messageRows.length, deliveries: deliveries.length };
}

interface Recipient {
  accountId: string;
  phone: string | null;
  locale: NotificationLocale;
  openid: string | null;
  smsMode: SmsMode;
  wechat: boolean;
}

/** The active accounts among `ids`, with their number, language, openid and choices for the event. */
async function recipientsOf(
  tx: Executor,
  ids: string[],
  event: NotificationEventDefinition,
): Promise<Recipient[]> {
  const eventCode = event.code;
  const phones = await activeAccountPhones(tx, ids);
  const active = ids.filter((id) => phones.has(id));
  if (active.length === 0) return [];
  // Settings and the choice for this event in one statement (a notify sits in its caller's
  // write transaction: every statement there is a round trip the transaction holds its locks over).
  const result = await tx.execute(sql`
    SELECT a.id AS account_id, s.locale, s.wechat_openid, p.sms, p.wechat
    FROM unnest(${`{${active.join(',')}}`}::uuid[]) AS a(id)
    LEFT JOIN notification_settings s ON s.account_id = a.id
    LEFT JOIN notification_preferences p ON p.account_id = a.id AND p.event_code = ${eventCode}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    account_id: string;
    locale: NotificationLocale | null;
    wechat_openid: string | null;
    sms: SmsMode | null;
    wechat: boolean | null;
  }[];
  const settings = rows.flatMap((r) =>
    r.locale ? [{ accountId: r.account_id, locale: r.locale, wechatOpenid: r.wechat_openid }] : [],
  );
  const prefs = rows.flatMap((r) =>
    r.sms ? [{ accountId: r.account_id, sms: r.sms, wechat: !!r.wechat }] : [],
  );
  const settingOf = new Map(settings.map((s) => [s.accountId, s]));
  const prefOf = new Map(prefs.map((p) => [p.accountId, p]));
  return active.map((accountId) => {
    const s = settingOf.get(accountId);
    const p = prefOf.get(accountId);
    return {
      accountId,
      phone: phones.get(accountId) ?? null,
      locale: s?.locale ?? 'zh-CN',
      openid: s?.wechatOpenid ?? null,
      smsMode: event.sms ? (p?.sms ?? event.defaults.sms) : 'off',
      wechat: event.wechat ? (p?.wechat ?? event.defaults.wechat) : false,
    };
  });
}

/**
 * The staff who hold `permission` over an org unit: an active account with a grant of a role
 * carrying the permission at the unit or one of its ancestors (the same rule as `can()` in
 * core/permissions.ts, which decides what they may do when they follow the link).
 */
export async function staffHolding(
  tx: Executor,
  permission: Permission,
  orgUnitId: string,
): Promise<string[]> {
  return (await staffHoldingEach(tx, permission, [orgUnitId])).get(orgUnitId) ?? [];
}

/** `staffHolding` for many org units in two statements, keyed by unit. */
export async function staffHoldingEach(
  tx: Executor,
  permission: Permission,
  orgUnitIds: Iterable<string>,
): Promise<Map<string, string[]>> {
  const units = await orgUnitsByIds(tx, orgUnitIds);
  const grants = await grantsWithRolesAt(
    tx,
    rolesHolding(permission),
    [...units.values()].flatMap((u) => pathIds(u.path)),
  );
  const out = new Map<string, string[]>();
  for (const unit of units.values()) {
    const ancestors = new Set(pathIds(unit.path));
    out.set(unit.id, [...new Set(grants.filter((g) => ancestors.has(g.orgUnitId)).map((g) => g.accountId))]);
  }
  return out;
}
