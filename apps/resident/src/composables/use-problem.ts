import { type DecodedProblem, decodeProblem, type Translate } from '@linli/api-client';
import { useI18n } from 'vue-i18n';

/** Turns any failed call into translated messages: `errors.<code>`, `fields.<name>`, `validation.<keyword>`. */
export function useProblem(): (error: unknown) => DecodedProblem {
  const { t, te } = useI18n();
  const translate: Translate = (key, params) => (te(key) ? t(key, params ?? {}) : null);
  return (error) => decodeProblem(error, translate);
}
