import type { Permission } from '@linli/contracts';
import type { Component } from 'vue';
import 'vue-router';

export type MenuGroup = 'workbench' | 'service' | 'admission' | 'governance' | 'community' | 'system';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (document title, menu, breadcrumb). */
    title?: string;
    /** Reachable without signing in. */
    public?: boolean;
    /** Needed to open the page and to see it in the menu. */
    permission?: Permission;
    /** Shown in the side menu: its group and order. Later modules add entries the same way. */
    menu?: { group: MenuGroup; order: number; icon: Component };
    /** i18n key of a one-line description (home page quick links). */
    summary?: string;
    /**
     * A queue only some holders of `permission` have (我的任务: squads and departments): the menu
     * shows it only when the caller's 工作台 has this card (stores/workbench.ts).
     */
    workbenchCard?: string;
    /** The menu entry that stays highlighted on a child page (e.g. an account's drawer). */
    activeMenu?: string;
  }
}
