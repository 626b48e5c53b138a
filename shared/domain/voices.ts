/**
 * The voices an agent may use: the LLM provider's standard voices (seed `faq.txt`: "Whatever voices the provider
 * supports, the Companion API supports"). These are the Azure OpenAI realtime (gpt-realtime) voices.
 */
export interface StandardVoice {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly provider: 'azureOpenAI';
}

const voice = (id: string, name: string, description: string): StandardVoice => ({ id, name, description, provider: 'azureOpenAI' });

export const STANDARD_VOICES: readonly StandardVoice[] = [
  voice('alloy', 'Alloy', 'Neutral and balanced; clear for general-purpose assistants.'),
  voice('ash', 'Ash', 'Soft-spoken and steady with a warm, low register.'),
  voice('ballad', 'Ballad', 'Expressive and melodic, with a gentle British lilt.'),
  voice('coral', 'Coral', 'Bright, friendly and upbeat.'),
  voice('echo', 'Echo', 'Calm and resonant with a measured pace.'),
  voice('sage', 'Sage', 'Thoughtful and reassuring; suits advice and support.'),
  voice('shimmer', 'Shimmer', 'Light, energetic and clear.'),
  voice('verse', 'Verse', 'Dynamic and engaging, with lively intonation.'),
  voice('marin', 'Marin', 'Natural and conversational; among the most lifelike realtime voices.'),
  voice('cedar', 'Cedar', 'Grounded and natural with a relaxed, confident tone.'),
];

export function isStandardVoice(id: string): boolean {
  return STANDARD_VOICES.some((v) => v.id === id);
}
