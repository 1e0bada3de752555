import type { Message } from '@linli/contracts';
import type { MessageView } from './service';

export function presentMessage({ message: m, deliveries }: MessageView): Message {
  return {
    id: m.id,
    eventCode: m.eventCode,
    title: m.title,
    body: m.body,
    link: m.link,
    readAt: m.readAt ? m.readAt.toISOString() : null,
    createdAt: m.createdAt.toISOString(),
    deliveries: deliveries.map((d) => ({
      channel: d.channel,
      status: d.status,
      notBefore: d.notBefore.toISOString(),
      sentAt: d.sentAt ? d.sentAt.toISOString() : null,
      attempts: d.attempts,
      errorCode: d.errorCode,
    })),
  };
}
