import type { StoredLlmConfig } from './llm-config.js';

/**
 * The one price table: micro-dollars per billed minute, by usage dimension (API.md, Usage: `byoLlmMinutes` at $0.01
 * for a customer-hosted model, `hostedLlmMinutes` at $0.058 for the platform's). Session costs, the usage API and the
 * Marketplace dimensions all read it; the Marketplace's own prices are set on the offer's plans and must match.
 */
export const USAGE_DIMENSIONS = ['byoLlmMinutes', 'hostedLlmMinutes'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

export const PRICE_MICROS_PER_MINUTE_BY_DIMENSION: Readonly<Record<UsageDimension, number>> = {
  byoLlmMinutes: 10_000,
  hostedLlmMinutes: 58_000,
};

/** The dimension a session's minutes are billed under: its API key's hosting when it was opened. */
export function dimensionOf(hosting: StoredLlmConfig['hosting']): UsageDimension {
  return hosting === 'custom' ? 'byoLlmMinutes' : 'hostedLlmMinutes';
}

/** Whole minutes priced once, in integer micro-dollars. */
export function amountMicrosOf(minutes: number, dimension: UsageDimension): number {
  return minutes * PRICE_MICROS_PER_MINUTE_BY_DIMENSION[dimension];
}
