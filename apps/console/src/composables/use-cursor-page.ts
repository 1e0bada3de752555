import { type Ref, ref } from 'vue';
import { describeError } from '@/api/problem';

/**
 * One page of a server-paginated list: rows, the next cursor, loading and a translated error.
 * Answers that arrive after a newer request started are dropped, so fast filter changes never
 * show an older page.
 */
export function useCursorPage<T>(load: () => Promise<{ items: T[]; nextCursor: string | null }>) {
  const rows = ref([]) as Ref<T[]>;
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref('');
  let seq = 0;

  async function fetchPage() {
    const mine = ++seq;
    loading.value = true;
    error.value = '';
    try {
      const page = await load();
      if (mine !== seq) return;
      rows.value = page.items;
      nextCursor.value = page.nextCursor;
    } catch (e) {
      if (mine !== seq) return;
      rows.value = [];
      nextCursor.value = null;
      error.value = describeError(e).message;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return { rows, nextCursor, loading, error, fetchPage };
}
