import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPERATURE,
  assembleSession,
  type AssembledSession,
  type SessionAssemblyInput,
} from '../../../shared/domain/session-assembly.js';

/** What a person reviews: the instructions as the model reads them, then the tools as the API receives them. */
function rendered(session: AssembledSession): string {
  return `${session.instructions}\n\n===== tools =====\n${JSON.stringify(session.tools, null, 2)}\n`;
}

const ava = {
  id: 'comp_ava',
  personaType: 'companion' as const,
  firstName: 'Ava',
  lastName: 'Bennett',
  headline: 'Customer support specialist',
  description:
    'A patient, upbeat support specialist. Listens first, asks one clarifying question at a time, and explains fixes in plain steps.',
};

const settings = {
  providerSettings: {},
  disableIdleTimeout: false,
  idleTimeoutSeconds: 180,
  maxSessionSeconds: 3600,
};

const full: SessionAssemblyInput = {
  companion: ava,
  settings: {
    ...settings,
    language: 'de',
    voiceId: 'coral',
    providerSettings: {
      instructions: 'Help customers of Contoso Bikes with orders and repairs.\nNever promise delivery dates.',
      temperature: 0.6,
      turnDetection: { type: 'server_vad', silenceDurationMs: 600 },
      noiseReduction: 'near_field',
    },
  },
  // Given out of order on purpose: the output is sorted by name.
  functions: [
    {
      id: 'fn_2',
      name: 'track_order',
      description: 'Where an order is now',
      flow: 'explicit',
      parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
      prompt: 'Ask for the order number first; it starts with CB-.',
    },
    { id: 'fn_1', name: 'book_repair', description: 'Book a workshop slot', flow: 'implicit', prompt: 'Offer it when a bike needs a repair.' },
    { id: 'fn_3', name: 'open_ticket', flow: 'implicit' },
  ],
  faqCollections: [
    { id: 'faq_2', name: 'Shipping' },
    { id: 'faq_1', name: 'Billing\nand payments' },
  ],
  knowledgeBase: { id: 'kb_1', name: 'Workshop manuals' },
  memory: { summary: 'Owns a blue city bike; had a flat tyre fixed in May.', facts: ['Prefers e-mail over calls', 'Lives in Berlin'] },
  externalClientProfile: { plan: 'gold', name: 'Jana Novak', bikes: [{ model: 'City 3', year: 2022 }], note: 'VIP\nsince 2020', verified: true },
};

describe('session assembly', () => {
  it('assembles persona, instructions, language, function prompts, knowledge, FAQs and the user into a readable prompt', async () => {
    const session = assembleSession(full);
    await expect(rendered(session)).toMatchFileSnapshot('__snapshots__/session-assembly.full.txt');
    expect(session).toMatchObject({
      voice: 'coral',
      language: 'de',
      temperature: 0.6,
      turnDetection: { type: 'server_vad', silenceDurationMs: 600 },
      noiseReduction: 'near_field',
      idleTimeoutSeconds: 180,
      maxSessionSeconds: 3600,
    });
    expect(session.toolBindings).toEqual([
      { name: 'book_repair', kind: 'function', functionId: 'fn_1', flow: 'implicit' },
      { name: 'open_ticket', kind: 'function', functionId: 'fn_3', flow: 'implicit' },
      { name: 'track_order', kind: 'function', functionId: 'fn_2', flow: 'explicit' },
      { name: 'search_knowledge', kind: 'knowledgeSearch', knowledgeBaseId: 'kb_1' },
    ]);
  });

  it('with only a companion, the prompt is the persona and a language rule, and there are no tools', async () => {
    const session = assembleSession({ companion: ava, settings: { ...settings, voiceId: 'alloy', disableIdleTimeout: true }, functions: [], faqCollections: [] });
    await expect(rendered(session)).toMatchFileSnapshot('__snapshots__/session-assembly.minimal.txt');
    expect(session.tools).toEqual([]);
    expect(session.temperature).toBe(DEFAULT_TEMPERATURE);
    expect(session.idleTimeoutSeconds).toBeNull();
    expect(session.language).toBeUndefined();
  });

  it("a digital twin speaks as the person, with its own voice when the agent names none", async () => {
    const twin = { ...ava, id: 'comp_sarah', personaType: 'digitalTwin' as const, firstName: 'Sarah', lastName: 'Johnson', headline: 'VP of Customer Success', voice: { status: 'ready' as const } };
    const session = assembleSession({ companion: twin, settings: { ...settings, language: 'en' }, functions: [], faqCollections: [{ id: 'faq_1', name: 'Onboarding' }] });
    await expect(rendered(session)).toMatchFileSnapshot('__snapshots__/session-assembly.twin.txt');
    expect(session.voice).toBe('twin:comp_sarah');
    expect(assembleSession({ companion: { ...twin, voice: { status: 'pending' } }, settings, functions: [], faqCollections: [] }).voice).toBeUndefined();
  });

  it('is deterministic: the same input in any order gives the same output, byte for byte', () => {
    const shuffled: SessionAssemblyInput = {
      ...full,
      functions: [...full.functions].reverse(),
      faqCollections: [...full.faqCollections].reverse(),
      externalClientProfile: Object.fromEntries(Object.entries(full.externalClientProfile ?? {}).reverse()),
    };
    expect(JSON.stringify(assembleSession(shuffled))).toBe(JSON.stringify(assembleSession(full)));
    expect(JSON.stringify(assembleSession(full))).toBe(JSON.stringify(assembleSession(structuredClone(full))));
  });

  it('refuses two tools of the same name rather than hand the model an ambiguous list', () => {
    const twice = { ...full, functions: [...full.functions, { id: 'fn_9', name: 'search_knowledge', flow: 'implicit' as const }] };
    expect(() => assembleSession(twice)).toThrow('two tools are named search_knowledge');
  });
});
