import { reactive, ref } from 'vue';
import { describeError } from '@/api/problem';

/**
 * Server errors for a form: `fields[name]` for el-form-item's `error`, `message` for an alert.
 * Everything comes from the one decoder (describeError → decodeProblem).
 */
export function useServerErrors() {
  const fields = reactive<Record<string, string>>({});
  const message = ref('');

  function clear() {
    for (const k of Object.keys(fields)) delete fields[k];
    message.value = '';
  }

  function apply(error: unknown) {
    clear();
    const decoded = describeError(error);
    Object.assign(fields, decoded.fields);
    message.value = decoded.message;
    return decoded;
  }

  return { fields, message, clear, apply };
}

/** Shows an API error as a toast, in the user's language. */
export function toastError(error: unknown) {
  ElMessage.error(describeError(error).message);
}
