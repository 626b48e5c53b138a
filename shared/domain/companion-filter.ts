import type { Companion, CompanionStatus, Gender, PersonaType } from './companion.js';

/** One `tags=key:value` filter: the companion must carry the tag with exactly this value. */
export interface TagFilter {
  readonly key: string;
  readonly value: string;
}

/** `GET /public/companions` filters; every given filter must match (AND), values within `statuses` are OR. */
export interface CompanionFilter {
  readonly personaType?: PersonaType | undefined;
  readonly statuses?: readonly CompanionStatus[] | undefined;
  readonly gender?: Gender | undefined;
  readonly ethnicity?: string | undefined;
  /** Case-insensitive substring of the names, headline or description. */
  readonly search?: string | undefined;
  readonly tags?: readonly TagFilter[] | undefined;
}

/**
 * The text `search` looks in, lower-cased once when the companion is written, so the store can match it with a plain
 * substring test (the local Cosmos server has no case-insensitive CONTAINS).
 */
export function searchTextOf(companion: Pick<Companion, 'firstName' | 'lastName' | 'headline' | 'description'>): string {
  return [companion.firstName, companion.lastName, companion.headline, companion.description].join('\n').toLowerCase();
}

/** `key:value` strings, one per tag, so the store can test a tag with an array lookup. */
export function tagPairsOf(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags).map(([key, value]) => `${key}:${value}`);
}

export function hasFilters(filter: CompanionFilter): boolean {
  return (
    filter.personaType !== undefined ||
    (filter.statuses !== undefined && filter.statuses.length > 0) ||
    filter.gender !== undefined ||
    filter.ethnicity !== undefined ||
    (filter.search !== undefined && filter.search !== '') ||
    (filter.tags !== undefined && filter.tags.length > 0)
  );
}

/** The meaning of a filter, for stores that filter in memory; the Cosmos repository says the same in SQL. */
export function companionMatches(companion: Companion, filter: CompanionFilter): boolean {
  if (filter.personaType !== undefined && companion.personaType !== filter.personaType) return false;
  if (filter.statuses !== undefined && filter.statuses.length > 0 && !filter.statuses.includes(companion.status)) return false;
  if (filter.gender !== undefined && companion.gender !== filter.gender) return false;
  if (filter.ethnicity !== undefined && companion.ethnicity !== filter.ethnicity) return false;
  if (filter.search !== undefined && filter.search !== '' && !searchTextOf(companion).includes(filter.search.toLowerCase())) {
    return false;
  }
  return (filter.tags ?? []).every((t) => Object.hasOwn(companion.tags, t.key) && companion.tags[t.key] === t.value);
}
