import { ApiError } from '@linli/api-client';
import type { ServiceItemDetail } from '@linli/contracts';
import { computed, ref, watch } from 'vue';
import { api } from '@/api';
import { useProblem } from '@/composables/use-problem';
import { useChecklistStore } from '@/stores/checklist';
import { useSessionStore } from '@/stores/session';

/**
 * One service item as the resident sees it: the guide, and their home community's own place,
 * hours and phone when its service room offers the item. While signed in, the checklist is
 * merged with the account's.
 */
export function useServiceItem(id: () => string) {
  const session = useSessionStore();
  const checklist = useChecklistStore();
  const problem = useProblem();

  const item = ref<ServiceItemDetail | null>(null);
  const loading = ref(true);
  const failed = ref('');
  const notFound = ref(false);
  const synced = ref(false);

  async function load() {
    loading.value = true;
    failed.value = '';
    notFound.value = false;
    try {
      item.value = await api.serviceItems.get(id(), { orgUnitId: session.homeUnit?.id });
    } catch (e) {
      item.value = null;
      if (e instanceof ApiError && e.status === 404) notFound.value = true;
      else failed.value = problem(e).message;
    } finally {
      loading.value = false;
    }
  }

  watch([id, () => session.homeUnit?.id], load, { immediate: true });
  watch(
    [() => item.value?.id, () => session.signedIn],
    async ([itemId, signedIn]) => {
      synced.value = false;
      if (itemId && signedIn) synced.value = await checklist.sync(itemId);
    },
    { immediate: true },
  );

  /** Where and when: the home community's offering, else what the guide says. */
  const place = computed(() => {
    const v = item.value;
    if (!v) return null;
    if (v.offering)
      return {
        community: v.offering.orgUnit.name,
        location: v.offering.location,
        hours: v.offering.hours,
        phone: v.offering.phone,
      };
    return {
      community: null,
      location: v.guide.location,
      hours: v.guide.serviceHours,
      phone: v.guide.consultPhone,
    };
  });

  return { item, loading, failed, notFound, synced, place, load };
}
