import type { Directive } from 'vue';

/**
 * What `v-part-labels` gives the parts of a Vant widget that Vant renders without a name: the
 * elements matching `selector` inside the widget, in order, get `labels[i]` as aria-label (and
 * `role`, when given). For widgets whose props offer no way to name their parts (the rate's stars,
 * the picker's columns); applied on mount and again whenever the page using it re-renders.
 */
export interface PartLabels {
  selector: string;
  labels: string[];
  role?: string;
}

function apply(el: HTMLElement, { selector, labels, role }: PartLabels) {
  el.querySelectorAll<HTMLElement>(selector).forEach((part, i) => {
    const label = labels[i];
    if (label && part.getAttribute('aria-label') !== label) part.setAttribute('aria-label', label);
    if (role && part.getAttribute('role') !== role) part.setAttribute('role', role);
  });
}

export const vPartLabels: Directive<HTMLElement, PartLabels> = {
  mounted: (el, { value }) => apply(el, value),
  updated: (el, { value }) => apply(el, value),
};
