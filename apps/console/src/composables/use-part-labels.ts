import type { Directive } from 'vue';

/**
 * What `v-part-labels` gives the parts of an Element Plus widget that it renders without a name:
 * the elements matching `selector` inside the widget, in order, get `labels[i]` as aria-label (and
 * `role`, when given). For widgets whose props offer no way to name their parts (the upload's
 * picture cards); applied on mount and again whenever the page using it re-renders. The resident
 * app has the same directive for Vant's widgets.
 */
export interface PartLabels {
  selector: string;
  labels: string[];
  role?: string;
}

function applyOne(el: HTMLElement, { selector, labels, role }: PartLabels) {
  el.querySelectorAll<HTMLElement>(selector).forEach((part, i) => {
    const label = labels[i];
    if (label && part.getAttribute('aria-label') !== label) part.setAttribute('aria-label', label);
    if (role && part.getAttribute('role') !== role) part.setAttribute('role', role);
  });
}

function apply(el: HTMLElement, value: PartLabels | PartLabels[]) {
  for (const part of Array.isArray(value) ? value : [value]) applyOne(el, part);
}

export const vPartLabels: Directive<HTMLElement, PartLabels | PartLabels[]> = {
  mounted: (el, { value }) => apply(el, value),
  updated: (el, { value }) => apply(el, value),
};
