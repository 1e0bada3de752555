import type { Notice } from '@linli/contracts';
import type { NoticeWithRefs } from './queries';

/** Row -> the `Notice` contract. No personal data: the author is a staff display name. */
export function presentNotice({ notice, unit, author }: NoticeWithRefs): Notice {
  return {
    id: notice.id,
    title: notice.title,
    body: notice.body,
    orgUnit: { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind },
    pinned: notice.pinned,
    status: notice.status,
    publishedAt: notice.publishedAt.toISOString(),
    retractedAt: notice.retractedAt ? notice.retractedAt.toISOString() : null,
    author,
  };
}
