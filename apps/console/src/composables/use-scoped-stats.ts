import { computed, type Ref, ref, shallowRef, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { describeError } from '@/api/problem';
import { useUnitRef } from '@/composables/use-unit-ref';
import { useScopeStore } from '@/stores/scope';
import { compactQuery, queryString } from '@/utils/query';

export interface StatsFilters {
  from?: string;
  to?: string;
  orgUnitId?: string;
}

/**
 * A statistics page's state, kept in the URL (so a view can be shared): a from–to range whose
 * ends match `range` (days or months), and the org unit (the scope switcher's unit unless one is
 * picked). Loads with `fetch` whenever either changes; a late answer to an older filter is dropped.
 */
export function useScopedStats<T>(opts: {
  routeName: string;
  range: RegExp;
  fetch: (filters: StatsFilters & { orgUnitId: string | undefined }) => Promise<T>;
}) {
  const route = useRoute();
  const router = useRouter();
  const scope = useScopeStore();

  const state = computed<StatsFilters>(() => {
    const end = (k: string) => {
      const v = queryString(route.query, k);
      return v && opts.range.test(v) ? v : undefined;
    };
    return { from: end('from'), to: end('to'), orgUnitId: queryString(route.query, 'orgUnitId') };
  });
  const urlUnit = useUnitRef(() => state.value.orgUnitId);
  function update(patch: Partial<StatsFilters>) {
    void router.push({ name: opts.routeName, query: compactQuery({ ...state.value, ...patch }) });
  }
  /** The range picker's model: both ends or none. */
  const span = computed({
    get: () => (state.value.from && state.value.to ? [state.value.from, state.value.to] : null),
    set: (v: [string, string] | null) => update({ from: v?.[0], to: v?.[1] }),
  });
  /** The unit picker's model: the scope's unit stays out of the URL. */
  const unit = computed({
    get: () => state.value.orgUnitId ?? scope.currentId,
    set: (id: string | undefined) => update({ orgUnitId: id && id !== scope.currentId ? id : undefined }),
  });
  const unitId = computed(() => state.value.orgUnitId ?? scope.currentId);

  const stats = shallowRef<T | null>(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref('');
  let seq = 0;
  async function load() {
    const mine = ++seq;
    loading.value = true;
    error.value = '';
    try {
      const s = await opts.fetch({ from: state.value.from, to: state.value.to, orgUnitId: unitId.value });
      if (mine === seq) stats.value = s;
    } catch (e) {
      if (mine === seq) {
        stats.value = null;
        error.value = describeError(e).message;
      }
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  watch(
    () => JSON.stringify([state.value, scope.currentId]),
    () => void load(),
    { immediate: true },
  );

  return { state, urlUnit, span, unit, unitId, stats, loading, error, reload: load };
}
