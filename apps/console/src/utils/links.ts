/**
 * Where a message's link goes. Links are app-relative (packages/contracts `Message.link`):
 * `/console/cases/<id>` is a console page (routed inside the app, whose base is `/console/`);
 * anything else is a page of the resident app, opened as a plain link.
 */
export type LinkTarget = { route: string } | { href: string } | null;

export function linkTarget(link: string | null | undefined): LinkTarget {
  if (!link?.startsWith('/')) return null;
  if (link === '/console' || link.startsWith('/console/'))
    return { route: link.slice('/console'.length) || '/' };
  return { href: link };
}
