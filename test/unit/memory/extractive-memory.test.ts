import { describe, expect, it } from 'vitest';
import { aboutThem, extractMemoryExtractively, factOfClause, thirdPerson } from '../../../shared/domain/extractive-memory.js';
import type { TranscriptEntry } from '../../../shared/domain/session.js';

function transcript(...turns: [TranscriptEntry['role'], string][]): TranscriptEntry[] {
  return turns.map(([role, text], i) => ({ role, text, at: new Date(Date.UTC(2025, 0, 1, 10, 0, i)).toISOString() }));
}

describe('extractive memory: facts from what the user says about themselves', () => {
  it('a bike shop conversation gives the name, home, family, diet and preferences, in the third person', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['user', "Hi, I'm Anna. I just moved to Hamburg and I'm looking for a city bike."],
        ['assistant', 'Welcome to Hamburg, Anna! What kind of riding do you do?'],
        ['user', 'Mostly commuting. I usually cycle to work, it is about 8 km. I live in Altona with my husband and two kids.'],
        ['assistant', 'A comfortable hybrid would suit you.'],
        ['user', "My daughter is 7, so we'd need a child seat too. Can I book a test ride on Saturday?"],
        ['assistant', 'Of course, Saturday at 10?'],
        ['user', "I prefer e-mail over phone calls for the confirmation, and I'm allergic to latex, so no latex grips please."],
      ),
    );
    expect(memory.facts).toEqual([
      'Name is Anna',
      'Moved to Hamburg',
      'Usually cycles to work',
      'Lives in Altona with their husband and two kids',
      'Daughter is 7',
      'Prefers e-mail over phone calls for the confirmation',
      'Is allergic to latex',
    ]);
    expect(memory.method).toBe('extractive');
    expect(memory.summary).toBe(
      'Talked about city bike and test ride. Asked "Can they book a test ride on Saturday?" Was looking for a city bike.',
    );
  });

  it('a support conversation about an order gives no facts: errands, questions and complaints are not the person', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['user', 'I have a question about my order 12345.'],
        ['assistant', 'Sure, what is the question?'],
        ['user', "My order is late and my tracking link doesn't work. I want to cancel it if it doesn't arrive by Friday."],
        ['user', 'Do you think I like waiting? If I lived closer I would pick it up myself.'],
      ),
    );
    expect(memory.facts).toEqual([]);
    expect(memory.summary).toContain('Talked about order');
    expect(memory.summary).toContain('Asked "Do you think they like waiting?"');
    expect(memory.summary).toContain('Wanted to cancel it if it does not arrive by Friday.');
  });

  it('never keeps secrets or contact details, even when the user offers them', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['user', 'My password is hunter2 and my email is anna@example.com.'],
        ['user', 'My phone number is +49 170 1234567. I love hiking in the Alps.'],
        ['user', "I'm a nurse. My credit card number is 4111 1111 1111 1111."],
      ),
    );
    expect(memory.facts).toEqual(['Loves hiking in the Alps', 'Is a nurse']);
    expect(JSON.stringify(memory)).not.toMatch(/hunter2|anna@example|1234567|4111/);
  });

  it('reads negations, modals, habits, past events, ages, nationalities and names given in several ways', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['user', "My name's jonas weber. Please call me Jo."],
        ['user', "I don't eat meat and I can't have gluten. I'd rather talk in the mornings."],
        ['user', "I'm 34 and I'm German, I was born in Vienna though. I've been a teacher for ten years."],
        ['user', "I have two cats named Tom and Jerry. I'm not a morning person, honestly."],
        ['user', 'My favourite colour is green. I speak French and Spanish.'],
      ),
    );
    expect(memory.facts).toEqual([
      'Name is Jonas Weber',
      'Likes to be called Jo',
      'Does not eat meat',
      'Cannot have gluten',
      'Would rather talk in the mornings',
      'Is 34 years old',
      'Is German',
      'Was born in Vienna',
      'Has been a teacher for ten years',
      'Has two cats named Tom and Jerry',
      'Is not a morning person',
      'Favourite colour is green',
      'Speaks French and Spanish',
    ]);
  });

  it('states each fact once per session, the fullest wording kept', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['user', 'I live in Berlin.'],
        ['user', 'As I said, I live in Berlin!'],
        ['user', 'My name is Sam. Actually, my name is Sam Taylor.'],
      ),
    );
    expect(memory.facts).toEqual(['Lives in Berlin', 'Name is Sam Taylor']);
  });

  it('ignores what the assistant and system notes say, and what is said about the agent', () => {
    const memory = extractMemoryExtractively(
      transcript(
        ['system', 'The user is a VIP customer.'],
        ['assistant', 'I live in the cloud and I love helping people.'],
        ['user', 'I like your voice. I love it. I like talking to you.'],
      ),
    );
    expect(memory.facts).toEqual([]);
  });

  it('a conversation of greetings alone gives neither facts nor a summary', () => {
    expect(extractMemoryExtractively(transcript(['user', 'Hi!'], ['assistant', 'Hello!'], ['user', 'Thanks, bye.']))).toEqual({
      facts: [],
      method: 'extractive',
    });
  });

  it('clause rules: first person only at the start of a clause, and "I am" asides are not identities', () => {
    expect(factOfClause('I am a bit tired')).toBeUndefined();
    expect(factOfClause('I am looking for a present')).toBeUndefined();
    expect(factOfClause('I am Fine', true)).toBeUndefined();
    expect(factOfClause('I am Priya', true)).toBe('Name is Priya');
    expect(factOfClause('I am Priya', false)).toBeUndefined();
    expect(factOfClause('I am a big fan of jazz')).toBe('Is a big fan of jazz');
    expect(factOfClause('I am working as a software engineer at Contoso')).toBe('Works as a software engineer at Contoso');
    expect(factOfClause('I have to go')).toBeUndefined();
    expect(factOfClause('I have no idea')).toBeUndefined();
    expect(factOfClause('I have diabetes')).toBe('Has diabetes');
    expect(factOfClause('I come here often')).toBeUndefined();
    expect(factOfClause('I come from Lagos')).toBe('Comes from Lagos');
    expect(factOfClause('My sister lives in Rome')).toBe('Sister lives in Rome');
    expect(factOfClause('My internet is down')).toBeUndefined();
    expect(factOfClause('when I lived in Paris')).toBeUndefined();
  });

  it('conjugates and restates in the third person', () => {
    expect(['live', 'study', 'go', 'watch', 'have', 'play'].map(thirdPerson)).toEqual(['lives', 'studies', 'goes', 'watches', 'has', 'plays']);
    expect(aboutThem('with my wife, who calls me Bear, and I am happy')).toBe('with their wife, who calls them Bear, and they are happy');
  });
});
