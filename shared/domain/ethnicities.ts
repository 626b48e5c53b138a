import { z } from 'zod';

/**
 * The accepted `ethnicity` values (`GET /public/companions/ethnicities`). They steer portrait generation and let
 * clients filter; the list is broad on purpose and ends with `Mixed` and `Other` so that nobody is left out.
 */
export const COMPANION_ETHNICITIES = [
  'African',
  'African American',
  'Caribbean',
  'Caucasian',
  'Central Asian',
  'East Asian',
  'Hispanic or Latino',
  'Indigenous American',
  'Middle Eastern',
  'North African',
  'Pacific Islander',
  'South Asian',
  'Southeast Asian',
  'Mixed',
  'Other',
] as const;

export type Ethnicity = (typeof COMPANION_ETHNICITIES)[number];

const BY_LOWER_CASE = new Map<string, Ethnicity>(COMPANION_ETHNICITIES.map((e) => [e.toLowerCase(), e]));

/** The canonical spelling of an accepted value, matched without regard to case or surrounding spaces. */
export function canonicalEthnicity(value: string): Ethnicity | undefined {
  return BY_LOWER_CASE.get(value.trim().toLowerCase());
}

export const ethnicitySchema = z
  .string()
  .transform((value, ctx) => {
    const canonical = canonicalEthnicity(value);
    if (canonical === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be one of the values of GET /public/companions/ethnicities' });
      return z.NEVER;
    }
    return canonical;
  })
  .describe(`one of: ${COMPANION_ETHNICITIES.join(', ')}`);
