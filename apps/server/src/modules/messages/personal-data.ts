import { asc, eq } from 'drizzle-orm';
import type { PersonalDataSource } from '../../core/personal-data';
import { messages, notificationDeliveries, notificationPreferences, notificationSettings } from './schema';

/**
 * What the messages module holds about a resident: their in-app messages, how each went out
 * (texts, WeChat), their notification choices and language, and whether a WeChat openid is bound.
 * The inbox is theirs alone, so closing the account deletes all of it.
 */
export const messagesPersonalData: PersonalDataSource = {
  module: 'messages',
  async collect(db, accountId) {
    const rows = await db
      .select()
      .from(messages)
      .where(eq(messages.accountId, accountId))
      .orderBy(asc(messages.id));
    const data = rows.map((m) => ({
      id: m.id,
      event: m.eventCode,
      title: m.title,
      body: m.body,
      link: m.link,
      createdAt: m.createdAt.toISOString(),
      readAt: m.readAt?.toISOString() ?? null,
    }));
    const deliveries = (
      await db
        .select()
        .from(notificationDeliveries)
        .where(eq(notificationDeliveries.accountId, accountId))
        .orderBy(asc(notificationDeliveries.id))
    ).map((d) => ({
      messageId: d.messageId,
      event: d.eventCode,
      channel: d.channel,
      status: d.status,
      text: d.preview,
      createdAt: d.createdAt.toISOString(),
      sentAt: d.sentAt?.toISOString() ?? null,
      error: d.errorCode,
    }));
    const preferences = await db
      .select({
        event: notificationPreferences.eventCode,
        sms: notificationPreferences.sms,
        wechat: notificationPreferences.wechat,
      })
      .from(notificationPreferences)
      .where(eq(notificationPreferences.accountId, accountId))
      .orderBy(asc(notificationPreferences.eventCode));
    const [settings] = await db
      .select()
      .from(notificationSettings)
      .where(eq(notificationSettings.accountId, accountId));
    return [
      { name: 'messages.json', data, files: [] },
      {
        name: 'notifications.json',
        data: {
          locale: settings?.locale ?? 'zh-CN',
          wechatBound: !!settings?.wechatOpenid,
          preferences,
          deliveries,
        },
        files: [],
      },
    ];
  },
  async closureBlockers() {
    return [];
  },
  async close(tx, accountId) {
    // Deliveries of the messages go with them (ON DELETE CASCADE); the digest's have no message.
    const deliveries = await tx
      .delete(notificationDeliveries)
      .where(eq(notificationDeliveries.accountId, accountId))
      .returning({ id: notificationDeliveries.id });
    const deleted = await tx
      .delete(messages)
      .where(eq(messages.accountId, accountId))
      .returning({ id: messages.id });
    await tx.delete(notificationPreferences).where(eq(notificationPreferences.accountId, accountId));
    await tx.delete(notificationSettings).where(eq(notificationSettings.accountId, accountId));
    return {
      deleteFiles: [],
      counts: { messagesDeleted: deleted.length, deliveriesDeleted: deliveries.length },
    };
  },
};
