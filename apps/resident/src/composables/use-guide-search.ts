import type { ServiceFacetsBody } from '@linli/api-client';
import type { LifeEventAnswer, ServiceItemSummary } from '@linli/contracts';
import { computed, onBeforeUnmount, ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api, serviceFacets } from '@/api';
import { useProblem } from '@/composables/use-problem';

export type ModeFilter = '' | 'direct' | 'proxy';
const one = (v: unknown) =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';

/**
 * The guide's one search box and its browse filters, kept in the page's query string (so a search
 * can be shared and survives reload). Typing is debounced; a newer answer always wins.
 */
export function useGuideSearch(opts: { limit?: number; debounceMs?: number } = {}) {
  const route = useRoute();
  const router = useRouter();
  const problem = useProblem();

  const q = ref(one(route.query.q));
  const lifeEvent = ref(one(route.query.lifeEvent));
  const department = ref(one(route.query.department));
  const mode = ref<ModeFilter>(
    (['direct', 'proxy'].includes(one(route.query.mode)) ? one(route.query.mode) : '') as ModeFilter,
  );

  const items = ref<ServiceItemSummary[]>([]);
  /** The search was about a life event (生孩子, 老人去世 …): every item the resident needs for it. */
  const eventAnswer = ref<LifeEventAnswer | null>(null);
  const loading = ref(false);
  const failed = ref('');
  const facets = ref<ServiceFacetsBody | null>(null);

  const active = computed(
    () => q.value.trim() !== '' || lifeEvent.value !== '' || department.value !== '' || mode.value !== '',
  );

  function loadFacets() {
    serviceFacets()
      .then((f) => (facets.value = f))
      .catch(() => {});
  }

  let seq = 0;
  async function run() {
    const mine = ++seq;
    if (!active.value) {
      items.value = [];
      eventAnswer.value = null;
      loading.value = false;
      return;
    }
    loading.value = true;
    failed.value = '';
    try {
      const res = await api.serviceItems.search({
        q: q.value.trim() || undefined,
        lifeEvent: lifeEvent.value || undefined,
        department: department.value || undefined,
        mode: mode.value || undefined,
        limit: opts.limit ?? 50,
      });
      if (mine !== seq) return;
      items.value = res.items;
      eventAnswer.value = res.lifeEvent ?? null;
    } catch (e) {
      if (mine !== seq) return;
      failed.value = problem(e).message;
      items.value = [];
      eventAnswer.value = null;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  function syncUrl() {
    const query: Record<string, string> = {};
    if (q.value.trim()) query.q = q.value.trim();
    if (lifeEvent.value) query.lifeEvent = lifeEvent.value;
    if (department.value) query.department = department.value;
    if (mode.value) query.mode = mode.value;
    router.replace({ query }).catch(() => {});
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(q, () => {
    clearTimeout(timer);
    if (active.value) loading.value = true;
    timer = setTimeout(() => {
      syncUrl();
      run();
    }, opts.debounceMs ?? 250);
  });
  watch([lifeEvent, department, mode], () => {
    clearTimeout(timer);
    syncUrl();
    run();
  });
  onBeforeUnmount(() => clearTimeout(timer));

  function clear() {
    q.value = '';
    lifeEvent.value = '';
    department.value = '';
    mode.value = '';
  }

  loadFacets();
  run();
  return { q, lifeEvent, department, mode, items, eventAnswer, loading, failed, facets, active, run, clear };
}
