import catalogue from '../data/service-items.json';
import enrichment from './data/item-enrichment.json';
import synonymTable from './data/synonyms.json';
import type { SearchableItem, SynonymGroup } from './search-index';

interface Enrichment {
  themes?: string[];
  lifeEvents?: string[];
  keywords?: string[];
}

/** The catalogue rows as the catalogue module will feed them: items joined with their enrichment. */
export function catalogueItems(): SearchableItem[] {
  const extra = enrichment.items as Record<string, Enrichment>;
  return [...catalogue.direct, ...catalogue.proxy].map((row) => ({
    id: row.id,
    name: row.name,
    department: row.department,
    themes: extra[row.id]?.themes ?? [],
    lifeEvents: extra[row.id]?.lifeEvents ?? [],
    keywords: extra[row.id]?.keywords ?? [],
  }));
}

/** The initial synonym table. */
export function initialSynonyms(): SynonymGroup[] {
  return synonymTable.groups;
}
