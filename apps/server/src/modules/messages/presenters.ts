import type { Message } from '@linli/contracts';
import type { MessageRow } from './schema';

export function presentMessage(m: MessageRow): Message {
  return {
    id: m.id,
    title: m.title,
    body: m.body,
    link: m.link,
    readAt: m.readAt ? m.readAt.toISOString() : null,
    createdAt: m.createdAt.toISOString(),
  };
}
