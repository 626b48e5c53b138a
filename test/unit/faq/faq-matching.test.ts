import { describe, expect, it } from 'vitest';
import {
  LEXICAL_MATCH_THRESHOLD,
  cosineSimilarity,
  lexicalPairScores,
  questionTerms,
} from '../../../shared/domain/faq-matching.js';

const pairs = [
  { question: 'How do I reset my password?', answer: 'Open Settings, choose Security and press Reset password.' },
  { question: 'How do I get a refund for my order?', answer: 'Refunds are paid within five days of the return arriving.' },
  { question: 'What are your opening hours?', answer: 'We are open Monday to Friday, 9 to 5.' },
  { question: 'Do you ship internationally?', answer: 'We ship to every country in the European Union.' },
];

describe('FAQ scoring', () => {
  it('drops conversational filler and stop words from a question', () => {
    expect(questionTerms('Hi, could you please tell me how I can reset my password?')).toEqual(['reset', 'password']);
  });

  it('scores the pair that covers the question near 1 and above the lexical threshold, the others low', () => {
    const scores = lexicalPairScores('Could you tell me how to reset my password please?', pairs);
    expect(scores[0]).toBeGreaterThan(0.8);
    expect(scores[0]).toBeLessThanOrEqual(1);
    for (const other of scores.slice(1)) expect(other).toBeLessThan(0.1);
    const refund = lexicalPairScores('refund for an order', pairs);
    expect(refund.indexOf(Math.max(...refund))).toBe(1);
    expect(Math.max(...refund)).toBeGreaterThanOrEqual(LEXICAL_MATCH_THRESHOLD);
  });

  it('ranks the pair whose question asks about a word above one whose answer merely mentions it', () => {
    const [reset, , hours] = lexicalPairScores('When are you open?', pairs);
    expect(hours).toBeGreaterThanOrEqual(LEXICAL_MATCH_THRESHOLD);
    expect(reset).toBeLessThan(LEXICAL_MATCH_THRESHOLD);
  });

  it('keeps a question about something the FAQ does not cover below the threshold, even when it shares a word', () => {
    const scores = lexicalPairScores('How do I reset the coffee machine in the kitchen?', pairs);
    expect(Math.max(...scores)).toBeLessThan(LEXICAL_MATCH_THRESHOLD);
    expect(lexicalPairScores('hello there', pairs)).toEqual([0, 0, 0, 0]);
    expect(lexicalPairScores('anything', [])).toEqual([]);
  });

  it('computes cosine similarity, 0 for vectors of different sizes or without direction', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 2])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });
});
