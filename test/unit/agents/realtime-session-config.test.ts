import { describe, expect, it } from 'vitest';
import { realtimeSessionConfigOf } from '../../../shared/domain/realtime.js';
import type { AssembledSession } from '../../../shared/domain/session-assembly.js';

const assembled = (overrides: Partial<AssembledSession>): AssembledSession => ({
  instructions: 'You are Ava.',
  tools: [{ type: 'function', function: { name: 'search_knowledge', description: 'Search', parameters: { type: 'object', properties: {} } } }],
  toolBindings: [{ name: 'search_knowledge', kind: 'knowledgeSearch', knowledgeBaseId: 'kb_1' }],
  voice: 'coral',
  language: 'en',
  temperature: 0.8,
  turnDetection: undefined,
  noiseReduction: undefined,
  idleTimeoutSeconds: 180,
  maxSessionSeconds: 3600,
  ...overrides,
});

describe('the realtime session configuration of an assembled session', () => {
  it('flattens the tools, sets the voice, and maps turn detection and noise reduction to the Realtime API names', () => {
    const config = realtimeSessionConfigOf(
      assembled({ turnDetection: { type: 'semantic_vad', eagerness: 'low', interruptResponse: false }, noiseReduction: 'far_field' }),
      'gpt-realtime',
    );
    expect(config).toEqual({
      type: 'realtime',
      model: 'gpt-realtime',
      instructions: 'You are Ava.',
      tools: [{ type: 'function', name: 'search_knowledge', description: 'Search', parameters: { type: 'object', properties: {} } }],
      tool_choice: 'auto',
      audio: {
        input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', interrupt_response: false }, noise_reduction: { type: 'far_field' } },
        output: { voice: 'coral' },
      },
    });
  });

  it("leaves a twin's own (Azure AI Speech) voice to the model's default and sends no audio block when nothing is set", () => {
    const config = realtimeSessionConfigOf(assembled({ voice: 'twin:comp_123', tools: [] }), 'gpt-realtime');
    expect(config).not.toHaveProperty('audio');
    expect(config.tools).toEqual([]);
  });
});
