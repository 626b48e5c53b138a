import { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  conversationText,
  createChatMemoryExtractor,
  parseMemoryAnswer,
} from '../../../shared/adapters/openai/chat-memory-extractor.js';
import { extractiveMemoryExtractor } from '../../../shared/domain/extractive-memory.js';
import type { MemorySource } from '../../../shared/domain/memory-extraction.js';
import type { TranscriptEntry } from '../../../shared/domain/session.js';
import type { ChatModel, ChatModelResolver } from '../../../shared/services/session-turns.js';
import { RecordingLogger } from '../fakes/test-services.js';

/**
 * A chat deployment answered in process: the real `openai` client (request building, response parsing, its error
 * classes) over a `fetch` that answers from a script, so nothing leaves the process.
 */
class ScriptedChatModel {
  readonly requests: Record<string, unknown>[] = [];
  private readonly replies: (() => Response)[] = [];

  answer(content: string | null, finishReason = 'stop'): this {
    this.replies.push(() =>
      Response.json({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-4o',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
      }),
    );
    return this;
  }

  fail(status: number, headers: Record<string, string> = {}, message = 'scripted failure'): this {
    this.replies.push(() => Response.json({ error: { code: String(status), message } }, { status, headers }));
    return this;
  }

  model(): ChatModel {
    const client = new AzureOpenAI({
      endpoint: 'https://memory-test.openai.azure.com',
      apiKey: 'test-key',
      apiVersion: '2024-10-21',
      maxRetries: 0,
      fetch: async (_url, init) => {
        this.requests.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
        const reply = this.replies.shift();
        if (reply === undefined) throw new Error('no scripted reply left');
        return reply();
      },
    });
    return { client, deployment: 'gpt-4o' };
  }
}

function resolverOf(model: ChatModel | undefined): ChatModelResolver & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    async chatModelFor(session) {
      asked.push(session);
      return model;
    },
  };
}

function source(...turns: [TranscriptEntry['role'], string][]): MemorySource {
  return {
    projectId: 'proj_1',
    sessionId: 'sess_1',
    keyId: 'key_1',
    hosting: 'custom',
    language: 'en',
    transcript: turns.map(([role, text], i) => ({ role, text, at: new Date(Date.UTC(2025, 0, 1, 9, 0, i)).toISOString() })),
  };
}

const conversation = source(
  ['user', "Hi, I'm Anna and I live in Hamburg."],
  ['assistant', 'Nice to meet you, Anna!'],
  ['system', 'internal note: VIP'],
  ['user', 'I am allergic to latex. Can I book a test ride?'],
);

const noWait = async () => undefined;

describe('memory extraction by the chat model', () => {
  it('sends the conversation (user and assistant only) with instructions asking for JSON, and keeps what the model found', async () => {
    const chat = new ScriptedChatModel().answer(
      JSON.stringify({ summary: 'Anna asked to book a test ride.', facts: ['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex', 'name is anna'] }),
    );
    const chatModels = resolverOf(chat.model());
    const extractor = createChatMemoryExtractor({ chatModels, fallback: extractiveMemoryExtractor, logger: new RecordingLogger() });

    const memory = await extractor.extract(conversation);

    expect(memory).toEqual({
      summary: 'Anna asked to book a test ride.',
      facts: ['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex'],
      method: 'llm',
    });
    expect(chatModels.asked).toEqual([expect.objectContaining({ projectId: 'proj_1', keyId: 'key_1', hosting: 'custom' })]);
    const [request] = chat.requests;
    expect(request).toMatchObject({ model: 'gpt-4o', temperature: 0, response_format: { type: 'json_object' } });
    const messages = request!['messages'] as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('{"summary": string, "facts": string[]}');
    expect(messages[0]!.content).toContain("The agent's language is en.");
    expect(messages[1]!.content).toBe(
      "<conversation>\nUser: Hi, I'm Anna and I live in Hamburg.\nAssistant: Nice to meet you, Anna!\nUser: I am allergic to latex. Can I book a test ride?\n</conversation>",
    );
  });

  it('takes a JSON object wrapped in a code fence, and a null summary', async () => {
    expect(parseMemoryAnswer('```json\n{"summary": null, "facts": ["Has a dog"]}\n```')).toEqual({ facts: ['Has a dog'] });
    expect(parseMemoryAnswer('{"summary": "", "facts": []}')).toEqual({ facts: [] });
  });

  it('refuses answers that are not the JSON object asked for', () => {
    expect(parseMemoryAnswer('Anna lives in Hamburg.')).toBeUndefined();
    expect(parseMemoryAnswer('{"summary": "x"}')).toBeUndefined();
    expect(parseMemoryAnswer('{"summary": "x", "facts": [1, 2]}')).toBeUndefined();
    expect(parseMemoryAnswer('["Lives in Hamburg"]')).toBeUndefined();
  });

  it('when the model answers invalid JSON, falls back to the extractive memory and logs it without the answer', async () => {
    const chat = new ScriptedChatModel().answer('Sure! Here is what I found: Anna lives in Hamburg.');
    const logger = new RecordingLogger();
    const extractor = createChatMemoryExtractor({ chatModels: resolverOf(chat.model()), fallback: extractiveMemoryExtractor, logger });

    const memory = await extractor.extract(conversation);

    expect(memory.method).toBe('extractive');
    expect(memory.facts).toEqual(['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex']);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('not the JSON asked for'), properties: expect.objectContaining({ sessionId: 'sess_1' }) }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('Hamburg');
  });

  it('retries a 429 and a 503 with backoff, then keeps the answer', async () => {
    const chat = new ScriptedChatModel()
      .fail(429, { 'retry-after-ms': '10' })
      .fail(503)
      .answer(JSON.stringify({ summary: 'Booked a ride.', facts: ['Lives in Hamburg'] }));
    const waits: number[] = [];
    const extractor = createChatMemoryExtractor({
      chatModels: resolverOf(chat.model()),
      fallback: extractiveMemoryExtractor,
      logger: new RecordingLogger(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    const memory = await extractor.extract(conversation);

    expect(memory).toEqual({ summary: 'Booked a ride.', facts: ['Lives in Hamburg'], method: 'llm' });
    expect(chat.requests).toHaveLength(3);
    expect(waits[0]).toBe(10);
    expect(waits[1]).toBeGreaterThanOrEqual(1_000);
  });

  it('after the last try on a model that keeps failing, or on a refusal, the memory is extracted without it', async () => {
    const busy = new ScriptedChatModel().fail(500).fail(500).fail(500).fail(500);
    const logger = new RecordingLogger();
    const extractor = createChatMemoryExtractor({ chatModels: resolverOf(busy.model()), fallback: extractiveMemoryExtractor, logger, sleep: noWait });
    expect((await extractor.extract(conversation)).method).toBe('extractive');
    expect(busy.requests).toHaveLength(4);
    expect(logger.lines[0]).toMatchObject({ level: 'warn', properties: { status: 500, attempt: 4 } });

    const refused = new ScriptedChatModel().fail(400);
    const once = createChatMemoryExtractor({ chatModels: resolverOf(refused.model()), fallback: extractiveMemoryExtractor, logger, sleep: noWait });
    expect((await once.extract(conversation)).method).toBe('extractive');
    expect(refused.requests).toHaveLength(1);
  });

  it('a deployment that refuses JSON mode is asked again without it', async () => {
    const chat = new ScriptedChatModel()
      .fail(400, {}, "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.")
      .answer(JSON.stringify({ summary: 'Short chat.', facts: ['Lives in Hamburg'] }));
    const extractor = createChatMemoryExtractor({ chatModels: resolverOf(chat.model()), fallback: extractiveMemoryExtractor, logger: new RecordingLogger(), sleep: noWait });
    expect(await extractor.extract(conversation)).toEqual({ summary: 'Short chat.', facts: ['Lives in Hamburg'], method: 'llm' });
    expect(chat.requests.map((r) => 'response_format' in r)).toEqual([true, false]);
  });

  it('a completion withheld by the content filter falls back too', async () => {
    const chat = new ScriptedChatModel().answer(null, 'content_filter');
    const logger = new RecordingLogger();
    const extractor = createChatMemoryExtractor({ chatModels: resolverOf(chat.model()), fallback: extractiveMemoryExtractor, logger });
    expect((await extractor.extract(conversation)).method).toBe('extractive');
    expect(logger.lines[0]?.properties).toMatchObject({ finishReason: 'content_filter' });
  });

  it('without a chat model for the key, extracts without one and calls nothing', async () => {
    const extractor = createChatMemoryExtractor({ chatModels: resolverOf(undefined), fallback: extractiveMemoryExtractor, logger: new RecordingLogger() });
    expect(await extractor.extract(conversation)).toMatchObject({ method: 'extractive', facts: ['Name is Anna', 'Lives in Hamburg', 'Is allergic to latex'] });
  });

  it('bounds what is sent: long messages are cut, and a long conversation keeps its opening and its end', () => {
    const turns: [TranscriptEntry['role'], string][] = [['user', 'My name is Anna.']];
    for (let i = 0; i < 200; i += 1) turns.push(['user', `Message number ${i} ${'about bikes '.repeat(20)}`]);
    turns.push(['user', 'I live in Hamburg.'], ['user', 'x'.repeat(5_000)]);
    const text = conversationText(source(...turns), 6_000);
    expect(text.length).toBeLessThanOrEqual(6_000);
    expect(text.startsWith('User: My name is Anna.')).toBe(true);
    expect(text).toMatch(/\[… \d+ messages left out …\]/);
    expect(text).toContain('User: I live in Hamburg.');
    const last = text.split('\n').at(-1)!;
    expect(last.length).toBeLessThanOrEqual('User: '.length + 2_000);
  });
});
