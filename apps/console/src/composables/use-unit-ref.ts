import type { OrgUnitRef } from '@linli/contracts';
import { type Ref, ref, watch } from 'vue';
import { api } from '@/api';

/** The name and kind of a unit known only by id (e.g. from the URL), for pickers' labels. */
export function useUnitRef(id: () => string | undefined): Ref<OrgUnitRef | null> {
  const unit = ref<OrgUnitRef | null>(null);
  watch(
    id,
    async (value) => {
      if (!value) {
        unit.value = null;
        return;
      }
      if (unit.value?.id === value) return;
      try {
        const u = await api.orgUnits.get(value);
        if (id() === value) unit.value = { id: u.id, code: u.code, name: u.name, kind: u.kind };
      } catch {
        unit.value = null;
      }
    },
    { immediate: true },
  );
  return unit;
}
