import type { OrgUnit } from '@linli/contracts';
import type { LoadFunction } from 'element-plus';
import { api } from '@/api';
import { useScopeStore } from '@/stores/scope';

/** Tree props shared by every org tree: leaves are units without children. */
export const orgTreeProps = {
  label: 'name',
  value: 'id',
  children: 'children',
  isLeaf: (data: unknown) => (data as OrgUnit).childCount === 0,
};

/**
 * A lazy loader for el-tree / el-tree-select: the roots are the caller's grant units, children come
 * from `GET /org-units?parentId=…&scope=mine`. `seen` collects every loaded unit by id.
 */
export function useOrgTreeLoader(options: { includeRetired?: () => boolean } = {}) {
  const scope = useScopeStore();
  const seen = new Map<string, OrgUnit>();

  const load: LoadFunction = (node, resolve, stop) => {
    if (node.level === 0) {
      for (const u of scope.roots) seen.set(u.id, u);
      resolve(scope.roots);
      return;
    }
    const parent = node.data as OrgUnit;
    api.orgUnits
      .list({ parentId: parent.id, scope: 'mine', includeRetired: options.includeRetired?.() || undefined })
      .then(({ items }) => {
        for (const u of items) seen.set(u.id, u);
        resolve(items);
      })
      .catch(() => {
        resolve([]);
        stop();
      });
  };

  return { load, seen };
}
