import { describe, expect, it } from 'vitest';
import {
  clientMemoryId,
  clientMemoryOf,
  contributingSessionIds,
  emptyClientMemory,
  isEmptyClientMemory,
  MAX_FACT_CHARS,
  MAX_MEMORY_FACTS,
  MAX_MEMORY_SUMMARIES,
  mergeSessionContribution,
  removeSessionContribution,
  type NewClientMemoryRecord,
  type SessionContribution,
} from '../../../shared/domain/client-memory.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const key = { projectId: 'proj_a', companionId: 'comp_b', externalClientId: 'user-1' };
const empty = (): NewClientMemoryRecord => emptyClientMemory(key, now);

function contribution(sessionId: string, day: number, facts: string[], summary?: string): SessionContribution {
  return { sessionId, at: `2025-02-${String(day).padStart(2, '0')}T10:00:00.000Z`, facts, summary };
}

describe('client memory records', () => {
  it('merging a session adds its facts and summary, tagged with the session, and the assembly sees them', () => {
    const record = mergeSessionContribution(empty(), contribution('sess_1', 1, ['Lives in Berlin', 'Prefers e-mail'], 'Asked about bikes.'), now);
    expect(record.facts).toEqual([
      { text: 'Lives in Berlin', sessionIds: ['sess_1'] },
      { text: 'Prefers e-mail', sessionIds: ['sess_1'] },
    ]);
    expect(record.summaries).toEqual([{ text: 'Asked about bikes.', sessionId: 'sess_1', at: '2025-02-01T10:00:00.000Z' }]);
    expect(contributingSessionIds(record)).toEqual(['sess_1']);
    expect(clientMemoryOf(record)).toEqual({ summary: 'Asked about bikes.', facts: ['Lives in Berlin', 'Prefers e-mail'] });
  });

  it('merging the same session again replaces its contribution, so a repeated job changes nothing', () => {
    const once = mergeSessionContribution(empty(), contribution('sess_1', 1, ['Lives in Berlin'], 'First.'), now);
    const twice = mergeSessionContribution(once, contribution('sess_1', 1, ['Lives in Berlin'], 'First.'), now);
    expect(twice).toEqual(once);
    const redone = mergeSessionContribution(once, contribution('sess_1', 1, ['Has a cat'], 'Redone.'), now);
    expect(clientMemoryOf(redone)).toEqual({ summary: 'Redone.', facts: ['Has a cat'] });
  });

  it('removing a session takes away exactly its facts and summary; the latest remaining summary shows', () => {
    let record = mergeSessionContribution(empty(), contribution('sess_1', 1, ['Lives in Berlin'], 'Talked about bikes.'), now);
    record = mergeSessionContribution(record, contribution('sess_2', 2, ['Has a cat', 'Is vegan'], 'Talked about cat food.'), now);
    expect(clientMemoryOf(record)).toEqual({ summary: 'Talked about cat food.', facts: ['Lives in Berlin', 'Has a cat', 'Is vegan'] });

    const without2 = removeSessionContribution(record, 'sess_2', now);
    expect(clientMemoryOf(without2)).toEqual({ summary: 'Talked about bikes.', facts: ['Lives in Berlin'] });
    expect(contributingSessionIds(without2)).toEqual(['sess_1']);

    const without1 = removeSessionContribution(without2, 'sess_1', now);
    expect(isEmptyClientMemory(without1)).toBe(true);
    expect(contributingSessionIds(without1)).toEqual([]);
  });

  it('a fact two sessions both said stays until both are removed, and is compared ignoring case and end punctuation', () => {
    let record = mergeSessionContribution(empty(), contribution('sess_1', 1, ['Lives in Berlin']), now);
    record = mergeSessionContribution(record, contribution('sess_2', 2, ['lives in berlin.']), now);
    expect(record.facts).toEqual([{ text: 'lives in berlin.', sessionIds: ['sess_1', 'sess_2'] }]);
    const afterFirst = removeSessionContribution(record, 'sess_1', now);
    expect(afterFirst.facts).toEqual([{ text: 'lives in berlin.', sessionIds: ['sess_2'] }]);
    expect(removeSessionContribution(afterFirst, 'sess_2', now).facts).toEqual([]);
  });

  it('a session repeating a fact several times contributes it once', () => {
    const record = mergeSessionContribution(empty(), contribution('sess_1', 1, ['Is vegan', 'IS VEGAN!', '  is   vegan ']), now);
    expect(record.facts).toEqual([{ text: 'Is vegan', sessionIds: ['sess_1'] }]);
  });

  it('keeps at most 50 facts, the newest by session close time, even when an older session is merged late', () => {
    let record = empty();
    for (let day = 10; day < 14; day += 1) {
      record = mergeSessionContribution(
        record,
        contribution(`sess_${day}`, day, Array.from({ length: 20 }, (_, i) => `Fact ${i} of day ${day}`)),
        now,
      );
    }
    expect(record.facts).toHaveLength(MAX_MEMORY_FACTS);
    expect(record.facts.at(-1)?.text).toBe('Fact 19 of day 13');
    expect(record.facts[0]?.text).toBe('Fact 10 of day 11');
    // Day 10's facts were all pushed out, so day 10 no longer contributes.
    expect(contributingSessionIds(record)).toEqual(['sess_11', 'sess_12', 'sess_13']);

    const late = mergeSessionContribution(record, contribution('sess_09', 9, ['Stated long ago']), now);
    expect(late.facts.map((f) => f.text)).not.toContain('Stated long ago');
    expect(late.facts).toHaveLength(MAX_MEMORY_FACTS);
  });

  it('cuts a fact to 300 characters at a word, and keeps at most 5 summaries, newest first', () => {
    const long = `Likes ${'very '.repeat(100)}long walks`;
    let record = mergeSessionContribution(empty(), contribution('sess_1', 1, [long]), now);
    const fact = record.facts[0]!.text;
    expect(fact.length).toBeLessThanOrEqual(MAX_FACT_CHARS);
    expect(fact.endsWith('…')).toBe(true);

    for (let day = 1; day <= 7; day += 1) record = mergeSessionContribution(record, contribution(`sess_s${day}`, day, [], `Summary ${day}`), now);
    expect(record.summaries.map((s) => s.text)).toEqual(['Summary 7', 'Summary 6', 'Summary 5', 'Summary 4', 'Summary 3']);
    expect(record.summaries).toHaveLength(MAX_MEMORY_SUMMARIES);
  });

  it('never keeps e-mail addresses or phone, card or account numbers, whoever extracted them; dates and small numbers stay', () => {
    const record = mergeSessionContribution(
      empty(),
      contribution(
        'sess_1',
        1,
        ['E-mail is anna@example.com', 'Phone: +49 (170) 123-4567', 'Card 4111 1111 1111 1111', 'Birthday is 1990-05-12', 'Runs 50 km a week'],
        'Asked us to write to anna@example.com or call +49 170 1234567.',
      ),
      now,
    );
    expect(record.facts.map((f) => f.text)).toEqual(['Birthday is 1990-05-12', 'Runs 50 km a week']);
    expect(record.summaries[0]?.text).toBe('Asked us to write to [e-mail] or call [number].');
  });

  it('a session whose extraction found nothing leaves no trace', () => {
    const record = mergeSessionContribution(empty(), contribution('sess_1', 1, [], '   '), now);
    expect(isEmptyClientMemory(record)).toBe(true);
    expect(contributingSessionIds(record)).toEqual([]);
  });

  it('derives one document id per companion and person, hashing ids it cannot use as they are', () => {
    expect(clientMemoryId('comp_b', 'user-1')).toBe('mem.comp_b.user-1');
    expect(clientMemoryId('comp_b', 'user-2')).not.toBe(clientMemoryId('comp_b', 'user-1'));
    expect(clientMemoryId('comp/x', 'u')).toMatch(/^mem\.sha256\.[0-9a-f]{64}$/);
  });
});
