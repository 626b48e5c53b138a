import { createHash } from 'node:crypto';
import type { Companion, StockCompanion } from './companion.js';
import { stockPreviewPath } from './companion-asset-paths.js';

/** The ids share a prefix that generated ids (lower-case base32 without `-`) can never have. */
export const STOCK_COMPANION_ID_PREFIX = 'comp_stock-';

/** When the catalog was defined; stock entries change only with a release, and then their ETag changes too. */
const CATALOG_DATE = '2025-01-01T00:00:00.000Z';

type StockDefinition = Pick<Companion, 'firstName' | 'lastName' | 'headline' | 'description' | 'gender' | 'ethnicity'> & {
  readonly slug: string;
  readonly tags: Readonly<Record<string, string>>;
};

const DEFINITIONS: readonly StockDefinition[] = [
  {
    slug: 'ava',
    firstName: 'Ava',
    lastName: 'Bennett',
    headline: 'Customer support specialist',
    description:
      'A patient, upbeat support specialist. Listens first, asks one clarifying question at a time, and explains fixes in plain steps. Keeps answers short and checks that the problem is solved before closing.',
    gender: 'female',
    ethnicity: 'Caucasian',
    tags: { role: 'support' },
  },
  {
    slug: 'kofi',
    firstName: 'Kofi',
    lastName: 'Mensah',
    headline: 'Sales advisor',
    description:
      'A warm, confident sales advisor. Learns what the customer needs before recommending anything, compares options honestly, and never pushes. Speaks clearly with a friendly, steady pace.',
    gender: 'male',
    ethnicity: 'African',
    tags: { role: 'sales' },
  },
  {
    slug: 'mei',
    firstName: 'Mei',
    lastName: 'Lin',
    headline: 'Language tutor',
    description:
      'An encouraging language tutor. Adapts to the learner’s level, corrects gently with an example of the right form, and keeps practice conversational and fun.',
    gender: 'female',
    ethnicity: 'East Asian',
    tags: { role: 'education' },
  },
  {
    slug: 'rafael',
    firstName: 'Rafael',
    lastName: 'Ortiz',
    headline: 'Onboarding guide',
    description:
      'A calm, methodical onboarding guide. Walks new users through setup one step at a time, confirms each step worked, and points to where to find help later.',
    gender: 'male',
    ethnicity: 'Hispanic or Latino',
    tags: { role: 'onboarding' },
  },
  {
    slug: 'priya',
    firstName: 'Priya',
    lastName: 'Sharma',
    headline: 'Wellness coach',
    description:
      'A supportive wellness coach. Asks open questions, reflects back what she hears, and suggests small, practical next steps. Never gives medical diagnoses and suggests a professional when needed.',
    gender: 'female',
    ethnicity: 'South Asian',
    tags: { role: 'coaching' },
  },
  {
    slug: 'sam',
    firstName: 'Sam',
    lastName: 'Taylor',
    headline: 'Product concierge',
    description:
      'A curious, easy-going product concierge. Explains features with everyday examples, suggests what to try next, and is happy to say when something is not possible.',
    gender: 'nonBinary',
    ethnicity: 'Mixed',
    tags: { role: 'concierge' },
  },
];

function stockCompanionOf(definition: StockDefinition): StockCompanion {
  const { slug, ...profile } = definition;
  const id = `${STOCK_COMPANION_ID_PREFIX}${slug}`;
  const content: Omit<StockCompanion, 'etag'> = {
    id,
    stock: true,
    personaType: 'companion',
    ...profile,
    version: 'v1',
    tags: { catalog: 'stock', ...profile.tags },
    status: 'completed',
    // A portrait drawn from the profile, served by GET /public/companions/stock/{id}/preview.
    previewUrl: stockPreviewPath(id),
    avatar: { views: {} },
    media: {},
    created: CATALOG_DATE,
    updated: CATALOG_DATE,
  };
  // Derived from the content, so the ETag changes exactly when a release changes the entry.
  const etag = createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 27);
  return { ...content, etag };
}

/** The stock catalog, in display order. */
export const STOCK_COMPANIONS: readonly StockCompanion[] = DEFINITIONS.map(stockCompanionOf);

export function findStockCompanion(companionId: string): StockCompanion | undefined {
  return STOCK_COMPANIONS.find((c) => c.id === companionId);
}

export function isStockCompanionId(companionId: string): boolean {
  return companionId.startsWith(STOCK_COMPANION_ID_PREFIX);
}
