import { boundedText, containsContactDetails, factIdentity, MAX_FACTS_PER_SESSION, MAX_SUMMARY_CHARS, normalizeFacts } from './client-memory.js';
import type { ExtractedMemory, MemoryExtractor, MemorySource } from './memory-extraction.js';
import type { TranscriptEntry } from './session.js';

/**
 * Memory without a language model: facts from the user's own first-person statements ("my name is…", "I live in…",
 * "I prefer…", "I'm allergic to…", "I have two kids", "my daughter is 7"), restated in the third person ("Lives in
 * Berlin", "Is allergic to peanuts"), and a short description of the conversation from the user's messages (its main
 * words, the user's questions, what they wanted). English phrasing only; elsewhere it yields the summary's words.
 *
 * It is deliberately conservative: a statement becomes a fact only when it opens a clause (not "if I lived in…"), is
 * not a question, is about the user rather than the agent ("I like your…"), and is not an errand ("I have a
 * question", "my order is late"). Secrets and contact details (passwords, card numbers, e-mail addresses, phone
 * numbers) are never kept.
 */

/** Longest object of a fact, in words: a longer one is rambling rather than a fact. */
const MAX_OBJECT_WORDS = 25;
const SUMMARY_TARGET_CHARS = Math.min(400, MAX_SUMMARY_CHARS);
const QUOTED_QUESTION_CHARS = 120;
const SUMMARY_TOPICS = 3;
const SUMMARY_QUESTIONS = 2;

const LETTER = "A-Za-z\\u00C0-\\u024F";
const WORD = new RegExp(`^[${LETTER}][${LETTER}'-]*$`);

/** Anything that reads like a credential or payment detail: the whole clause is dropped. */
const SECRET =
  /\b(?:passwords?|passcodes?|passphrase|pin(?: code| number)?|credit card|debit card|card number|cvv|cvc|iban|account number|routing number|sort code|social security|ssn|passport number|bank details|security code|security answer|login|username|user name|one-time code|otp|api key|token)\b/i;
/** Contact details: kept by the calling application if at all, never by memory. */
const CONTACT_HEAD = /\b(?:e-?mail|email address|phone|mobile|cell|number|address|postcode|post code|zip(?: code)?)\b/i;

/** Words that open a clause without changing what it says. */
const LEADING_FILLER =
  /^(?:(?:oh|well|hi|hello|hey|yes|yeah|yep|no|nope|ok|okay|right|sure|actually|honestly|anyway|btw|by the way|fyi|um+|uh+|hmm+|thanks|thank you|cool|great|and|but|so|also|plus|just so you know|for the record|to be honest|as i said|like i said|you know)\b[\s,!.-]*)+/i;

/** Splits a sentence where a new first-person clause starts; "rock and roll" and "apples, pears" stay whole. */
const CLAUSE_BREAK =
  /\s*[;:]\s*|\s*,\s*(?=(?:(?:and|but|so|also|plus|oh|well)\s+)?(?:i|my)\b)|\s+(?:and|but|so|plus|because|since|though|although|while|whereas|as)\s+(?=(?:i|my)\b)/i;

const TRAILING_FILLER =
  /(?:\s+(?:too|as well|though|anyway|actually|really|lol|haha+|hehe+|btw|by the way|either|for sure|i guess|i think|you know|if that helps|if that matters))+$/i;

/** Objects that point back at something else ("I like it") or at the agent ("I like your voice") say nothing lasting. */
const DEICTIC_OPENING = /^(?:it|that|this|those|these|them|so|too|what|which|how|when|if|whether|here|there|now|more|less|nothing|something|anything)\b/i;
const ABOUT_THE_AGENT = /\b(?:you|your|yours|yourself|u|ur)\b/i;

/** Nouns that make "I have a …" an errand of this conversation, not a fact about the person. */
const TRANSIENT_NOUNS = new Set(
  'question questions problem problems issue issues query queries doubt doubts idea ideas moment minute minutes second seconds sec request requests complaint complaints suggestion suggestions concern concerns feeling look try order orders booking bookings reservation reservations appointment meeting call ticket tickets bug error errors quick few couple lot bit time chance reason clue meeting opinion update refund package parcel delivery invoice bill'.split(
    ' ',
  ),
);

/** What "my … is …" may be about: the person's circle, identity and tastes, not their order or their internet. */
const POSSESSION_WORDS = new Set(
  'name nickname surname birthday age favourite favorite wife husband partner spouse boyfriend girlfriend fiance fiancee son sons daughter daughters kid kids child children baby mother mom mum mommy father dad daddy parents brother brothers sister sisters sibling siblings grandmother grandma grandfather grandpa grandparents family dog dogs cat cats pet pets horse job profession occupation employer career hometown home language languages diet allergy allergies pronouns hobby hobbies passion team goal goals dream degree major school university college'.split(
    ' ',
  ),
);

/** Present-tense verbs that describe a person lastingly when they say "I …". */
const PRESENT_VERBS = new Set(
  'live work prefer like love enjoy adore hate dislike speak own play drive ride study teach cook bake eat drink run swim read watch support follow collect practice practise volunteer belong come use go take wear travel commute listen suffer care cycle walk hike climb bike shop write paint draw sing dance garden fish knit surf ski snowboard skate meditate pray'.split(
    ' ',
  ),
);
/** Verbs that need a particular word after them to describe the person. */
const VERB_NEEDS: Readonly<Record<string, RegExp>> = {
  come: /^from\b/i,
  belong: /^to\b/i,
  go: /^to\b/i,
  listen: /^to\b/i,
  suffer: /^from\b/i,
  care: /^(?:for|about)\b/i,
};
/** Past events that stay true of the person ("I moved to Lyon last year"); some need a particular next word. */
const PAST_VERBS: Readonly<Record<string, RegExp | undefined>> = {
  moved: undefined,
  grew: /^up\b/i,
  was: /^(?:born|raised|diagnosed)\b/i,
  bought: undefined,
  adopted: undefined,
  started: undefined,
  graduated: undefined,
  retired: undefined,
  joined: undefined,
  studied: undefined,
  worked: undefined,
  lived: undefined,
  married: undefined,
  got: /^(?:married|engaged|divorced|promoted|a new job|a (?:dog|cat|puppy|kitten))\b/i,
  used: /^to\b/i,
  quit: undefined,
  switched: /^to\b/i,
};
const DROPPED_ADVERBS = new Set('really also just actually definitely totally absolutely truly'.split(' '));
const KEPT_ADVERBS = /^(?:usually|always|often|normally|sometimes|regularly|rarely|never|generally|typically|mostly|still|no longer|recently|originally|mainly|only)$/i;

/** "I am …" states and relations that describe the person; the ones ending in a preposition need an object. */
const BE_STATES =
  /^(allergic to|intolerant to|afraid of|scared of|terrified of|interested in|into|(?:a |an )?(?:big |huge )?fan of|fond of|passionate about|keen on|married to|engaged to|learning|studying|training for|saving (?:up )?for|planning to|trying to|working on|working as|working at|working for|based in|originally from|from|living in|moving to|retired|married|single|divorced|widowed|engaged|pregnant|vegan|vegetarian|pescatarian|diabetic|epileptic|asthmatic|left-handed|right-handed|colou?r-?blind|deaf|blind|hard of hearing|lactose intolerant|gluten intolerant|coeliac|celiac|unemployed|self-employed|a student|an? \w+ student)\b\s*(.*)$/i;
const NEEDS_OBJECT = /(?:\bto|\bof|\bin|\binto|\babout|\bon|\bfor|\bas|\bat|\bfrom|learning|studying)$/i;
/** Words after "a"/"an" that make "I'm a …" an aside ("I'm a bit lost"), not an identity. */
const ARTICLE_ASIDES = new Set('bit little lot couple few moment second minute question problem quick sec'.split(' '));

const DEMONYMS = new Set(
  'american british english scottish welsh irish canadian australian german french italian spanish portuguese dutch belgian swiss austrian swedish norwegian danish finnish icelandic polish czech slovak hungarian romanian bulgarian greek turkish russian ukrainian serbian croatian mexican brazilian argentinian argentine chilean colombian peruvian venezuelan cuban chinese japanese korean vietnamese thai filipino indonesian malaysian indian pakistani bangladeshi nepali iranian iraqi israeli lebanese egyptian moroccan nigerian ghanaian kenyan ethiopian south african jewish muslim christian catholic hindu buddhist'.split(
    ' ',
  ),
);

/** Capitalised words after "I'm" that are states, not names ("I'm Fine" typed with a capital). */
const NOT_A_NAME = new Set(
  'sorry fine good great ok okay here back ready sure happy glad done home well alright available interested busy tired hungry confused lost new just so very really still also not afraid certain curious excited back calling writing looking trying going'.split(
    ' ',
  ),
);
/** Words that end a name ("my name is Anna and…"). */
const NAME_STOP = new Set(
  'and but from i im by the a an here there nice please thanks thank how what so btw who to in at of with not is was by'.split(' '),
);

const SUMMARY_STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can cannot could did do does doing done down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours yourself ' +
    'able actually already anything anyway ask asked asking back bit bye cheers come could day days does dont else etc even ever every feel find first get gets getting give go goes going gonna good got great guess hello help hey hi hmm just kind know last let like likes little look looking lot lots make many maybe mean much must need needs never new next nice no ok okay one ones please pretty quite really right said say says see seems should something sometimes soon sort still stuff sure take tell thank thanks thing things think time today tomorrow try trying two use want wanted wants way week well wonder wondering yeah yes yesterday yet would called name question questions ask mostly usually often always sometimes probably definitely around quick book buy find pay send check change bring pick keep put show give talk speak tell told late monday tuesday wednesday thursday friday saturday sunday weekend'
  ).split(' '),
);

const GREETING_OR_THANKS =
  /^(?:hi|hello|hey|good (?:morning|afternoon|evening|night)|thanks|thank you|ok|okay|bye|goodbye|see you|cheers|yes|no|sure|great|cool|perfect|nice|how are you|what's up)\b/i;

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Contractions written out, so the rules see one form ("I'm" → "I am", "don't" → "do not", "i" → "I"). */
function expandContractions(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02BC`\u00B4]/g, "'")
    .replace(/\bi'm\b/gi, 'I am')
    .replace(/\bim\b/g, 'I am')
    .replace(/\bi've\b/gi, 'I have')
    .replace(/\bi'd\b/gi, 'I would')
    .replace(/\bi'll\b/gi, 'I will')
    .replace(/\bcan't\b/gi, 'cannot')
    .replace(/\bwon't\b/gi, 'will not')
    .replace(/\b(do|does|did|is|are|was|were|have|has|had|would|could|should)n't\b/gi, '$1 not')
    .replace(/\bname's\b/gi, 'name is')
    .replace(/\bi\b/g, 'I');
}

function sentencesOf(text: string): string[] {
  return expandContractions(text)
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim().replace(/^["'(]+|["')]+$/g, ''))
    .filter((s) => s !== '');
}

function clausesOf(sentence: string): string[] {
  return sentence
    .split(CLAUSE_BREAK)
    .map((clause) => clause.replace(LEADING_FILLER, '').replace(/[\s.!…]+$/u, '').trim())
    .filter((clause) => clause !== '');
}

/** The third person singular of a present-tense verb ("live" → "lives", "study" → "studies", "go" → "goes"). */
export function thirdPerson(verb: string): string {
  const lower = verb.toLowerCase();
  if (lower === 'have') return 'has';
  if (lower === 'be') return 'is';
  if (/(?:s|sh|ch|x|z|o)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The user's words about themselves as said of them ("my sister" → "their sister", "me" → "them"). */
export function aboutThem(text: string): string {
  return text
    .replace(/\bI am\b/g, 'they are')
    .replace(/\bI was\b/g, 'they were')
    .replace(/\bmyself\b/gi, 'themselves')
    .replace(/\bmine\b/gi, 'theirs')
    .replace(/\bmy\b/gi, 'their')
    .replace(/\bme\b/gi, 'them')
    .replace(/\bI\b/g, 'they');
}

/**
 * Where a fact's object ends: a comma or conjunction that opens a new thought ("…to latex, so no latex grips"), while a
 * list ("hiking, cycling and swimming") stays whole.
 */
const OBJECT_END =
  /(?:\s*,\s*|\s+)(?:so|but|because|since|though|although|unless|except|otherwise|which|whereas)\b.*$|\s*,\s*(?:then|it|that|this|these|those|we|they|he|she|you|there|as|if|when|while|or|please|honestly|actually|anyway|thanks|thank|lol|haha|just|no|not|i|is|was)\b.*$/i;

/** A fact's object as kept, or undefined when it says nothing lasting about the person. */
function cleanObject(raw: string): string | undefined {
  let text = raw
    .replace(OBJECT_END, '')
    .replace(/\p{Extended_Pictographic}/gu, '')
    .replace(/[\s.,!;:…]+$/u, '')
    .trim();
  text = text.replace(TRAILING_FILLER, '').replace(/[\s.,!;:…]+$/u, '').trim();
  if (text === '' || DEICTIC_OPENING.test(text) || ABOUT_THE_AGENT.test(text)) return undefined;
  if (containsContactDetails(text) || SECRET.test(text)) return undefined;
  if (text.split(/\s+/).length > MAX_OBJECT_WORDS) return undefined;
  return aboutThem(text);
}

/** A name as said after "my name is": up to three words, stopping at the first word that is not part of it. */
function nameOf(raw: string): string | undefined {
  const words: string[] = [];
  for (const word of raw.split(/\s+/)) {
    const bare = word.replace(/[.,!?;:]+$/, '');
    if (!WORD.test(bare) || NAME_STOP.has(bare.toLowerCase())) break;
    words.push(capitalize(bare));
    if (words.length === 3 || bare !== word) break;
  }
  return words.length === 0 ? undefined : words.join(' ');
}

function nameFact(clause: string): string | undefined {
  const named = /^my (first |full |last |middle )?name is\s+(.+)$/i.exec(clause) ?? /^()(?:I am called|I go by|people call me|everyone calls me|they call me)\s+(.+)$/i.exec(clause);
  if (named !== null) {
    const name = nameOf(named[2] ?? '');
    const label = (named[1] ?? '').trim().toLowerCase();
    return name === undefined ? undefined : `${label === '' ? 'Name' : capitalize(`${label} name`)} is ${name}`;
  }
  const called = /^(?:you can |please |just )?call me\s+(.+)$/i.exec(clause);
  if (called !== null) {
    const name = nameOf(called[1] ?? '');
    return name === undefined ? undefined : `Likes to be called ${name}`;
  }
  return undefined;
}

/** "I am …": states, identities and relations; a capitalised word is a name only when it opens the message. */
function beFact(rest: string, opensMessage: boolean): string | undefined {
  const negated = /^not\s+/i.test(rest);
  const body = rest.replace(/^not\s+/i, '');
  const is = negated ? 'Is not' : 'Is';
  const state = BE_STATES.exec(body);
  if (state !== null) {
    const phrase = (state[1] ?? '').toLowerCase();
    const tail = state[2] ?? '';
    const object = tail === '' ? '' : cleanObject(tail);
    if (object === undefined) return undefined;
    if (object === '' && NEEDS_OBJECT.test(phrase)) return undefined;
    const objectPart = object === '' ? '' : ` ${object}`;
    if (phrase === 'living in' && !negated) return `Lives in${objectPart}`;
    if (phrase.startsWith('working ') && !negated) return `Works ${phrase.slice('working '.length)}${objectPart}`;
    return `${is} ${phrase}${objectPart}`;
  }
  const age = /^(\d{1,3}|[a-z]+(?:-[a-z]+)?)\s+years?\s+old\b/i.exec(body) ?? /^(\d{1,3})$/.exec(body);
  if (age !== null && !negated) return `Is ${age[1]} years old`;
  const article = /^(a|an)\s+(\S+)(.*)$/i.exec(body);
  if (article !== null) {
    const first = (article[2] ?? '').toLowerCase();
    if (ARTICLE_ASIDES.has(first)) return undefined;
    const object = cleanObject(`${article[2] ?? ''}${article[3] ?? ''}`);
    return object === undefined ? undefined : `${is} ${(article[1] ?? 'a').toLowerCase()} ${object}`;
  }
  const demonym = /^([A-Za-z]+(?: african)?)$/i.exec(body);
  if (demonym !== null && DEMONYMS.has((demonym[1] ?? '').toLowerCase())) {
    return `${is} ${capitalize((demonym[1] ?? '').toLowerCase()).replace(/ african$/, ' African')}`;
  }
  if (!negated && opensMessage) {
    const name = /^([A-Z][a-z\u00DF-\u024F'-]+(?:\s+[A-Z][a-z\u00DF-\u024F'-]+)?)$/.exec(body);
    const first = name?.[1]?.split(' ')[0]?.toLowerCase();
    if (name !== null && first !== undefined && !NOT_A_NAME.has(first) && !DEMONYMS.has(first)) return `Name is ${name[1]}`;
  }
  return undefined;
}

/** "I have …": possessions, conditions and experience; "I have a question" and "I have to go" are not facts. */
function haveFact(rest: string): string | undefined {
  const body = rest.replace(/^got\s+/i, '');
  if (/^(?:to|got to)\b/i.test(body)) return undefined;
  const experience = /^((?:never|always|recently|already)\s+)?(been (?:a|an|married|vegan|vegetarian|retired|living|working|learning|studying|playing)|lived|worked|studied|tried|visited|owned|had|wanted)\b(.*)$/i.exec(body);
  if (experience !== null) {
    if (experience[1] === undefined && /^(?:had|wanted|tried)$/i.test(experience[2] ?? '')) return undefined;
    const object = cleanObject(`${experience[2] ?? ''}${experience[3] ?? ''}`);
    return object === undefined ? undefined : `Has ${(experience[1] ?? '').toLowerCase()}${object}`;
  }
  if (/^been\b/i.test(body)) return undefined;
  const quantified = /^(?:(?:a|an|no|one|two|three|four|five|six|seven|eight|nine|ten|several|many|some|\d+)\s+)?(?:(?:little|young|new|big|small|old|grown-up|older|younger|lovely)\s+)?([A-Za-z'-]+)/i.exec(body);
  const noun = quantified?.[1]?.toLowerCase();
  if (noun === undefined || TRANSIENT_NOUNS.has(noun)) return undefined;
  const object = cleanObject(body);
  return object === undefined ? undefined : `Has ${object}`;
}

/** "my … is …" about the person's circle, identity or tastes ("my daughter is 7" → "Daughter is 7"). */
function possessionFact(rest: string): string | undefined {
  const said =
    /^((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+(is|are|was|were|lives|works|studies|plays|has|have|loves|likes|goes|turns|turned|speaks)\s+(.+)$/i.exec(
      rest,
    );
  if (said === null) return undefined;
  const head = (said[1] ?? '').toLowerCase();
  if (CONTACT_HEAD.test(head) || SECRET.test(head)) return undefined;
  const words = head.split(/\s+/).map((word) => word.replace(/'s$/, ''));
  if (!words.some((word) => POSSESSION_WORDS.has(word))) return undefined;
  const object = cleanObject(said[3] ?? '');
  return object === undefined ? undefined : `${capitalize(head)} ${(said[2] ?? '').toLowerCase()} ${object}`;
}

/** "I <verb> …" with a verb that describes the person, in the third person ("I usually cycle" is left alone). */
function verbFact(rest: string): string | undefined {
  const words = rest.split(/\s+/);
  const kept: string[] = [];
  let modal: string | undefined;
  let index = 0;
  for (; index < words.length; index += 1) {
    const word = (words[index] ?? '').toLowerCase();
    const pair = `${word} ${(words[index + 1] ?? '').toLowerCase()}`;
    if (pair === 'do not' || pair === 'would rather' || pair === 'no longer') {
      if (pair === 'no longer') kept.push(pair);
      else modal = pair === 'do not' ? 'does not' : 'would rather';
      index += 1;
    } else if (word === 'cannot' || word === 'can') {
      modal = word;
    } else if (DROPPED_ADVERBS.has(word)) {
      continue;
    } else if (KEPT_ADVERBS.test(word)) {
      kept.push(word);
    } else {
      break;
    }
  }
  const verb = (words[index] ?? '').toLowerCase();
  const object = words.slice(index + 1).join(' ');
  let said: string;
  const modalVerb = (modal === 'would rather' && /^[a-z]+$/.test(verb)) || ((modal === 'cannot' || modal === 'can') && verb === 'have');
  if (PRESENT_VERBS.has(verb) || modalVerb) {
    const needs = VERB_NEEDS[verb];
    if (needs !== undefined && !needs.test(object)) return undefined;
    said = modal === undefined ? thirdPerson(verb) : `${modal} ${verb}`;
  } else if (Object.hasOwn(PAST_VERBS, verb) && modal === undefined) {
    const needs = PAST_VERBS[verb];
    if (needs !== undefined && !needs.test(object)) return undefined;
    said = verb;
  } else {
    return undefined;
  }
  const cleaned = cleanObject(object);
  if (cleaned === undefined) return undefined;
  return capitalize([...kept, said, cleaned].join(' '));
}

/** The fact a clause states about the user, if it states one. */
export function factOfClause(clause: string, opensMessage = false): string | undefined {
  if (SECRET.test(clause)) return undefined;
  const named = nameFact(clause);
  if (named !== undefined) return named;
  const be = /^I am\s+(.+)$/i.exec(clause);
  if (be !== null) return beFact(be[1] ?? '', opensMessage);
  const have = /^I have\s+(.+)$/i.exec(clause);
  if (have !== null) return haveFact(have[1] ?? '');
  const mine = /^my\s+(.+)$/i.exec(clause);
  if (mine !== null) return possessionFact(mine[1] ?? '');
  const plain = /^I\s+(.+)$/i.exec(clause);
  if (plain !== null) return verbFact(plain[1] ?? '');
  return undefined;
}

interface ReadMessage {
  readonly facts: string[];
  /** Clauses that stated no fact: what the summary is made of. */
  readonly otherClauses: string[];
  readonly questions: string[];
}

function readUserMessage(text: string): ReadMessage {
  const facts: string[] = [];
  const otherClauses: string[] = [];
  const questions: string[] = [];
  let first = true;
  for (const sentence of sentencesOf(text)) {
    const isQuestion = sentence.endsWith('?');
    if (isQuestion) questions.push(sentence);
    for (const clause of clausesOf(sentence)) {
      const fact = isQuestion ? undefined : factOfClause(clause, first);
      first = false;
      if (fact === undefined) otherClauses.push(clause);
      else facts.push(capitalize(fact));
    }
  }
  return { facts, otherClauses, questions };
}

/**
 * What was talked about: the content words of the user's clauses, adjacent ones taken together as a phrase ("city
 * bike"), most frequent first (phrases before single words, then the first said), shown in the order they came up.
 */
function topicsOf(clauses: readonly string[]): string[] {
  interface Candidate {
    readonly words: readonly string[];
    readonly surface: string;
    count: number;
    readonly first: number;
  }
  const candidates = new Map<string, Candidate>();
  let position = 0;
  const count = (words: readonly string[], surface: string) => {
    const key = words.join(' ');
    const entry = candidates.get(key);
    if (entry === undefined) candidates.set(key, { words, surface, count: 1, first: position });
    else entry.count += 1;
  };
  // Without parts of speech, "-ing" and "-ed" words are mostly verbs ("choosing", "lived"); an "-ing" word before
  // another content word is a modifier ("running shoes") and is kept there.
  const verbLike = (word: string) => /(?:ing|ed)$/.test(word) && word.length > 5;
  for (const clause of clauses) {
    if (GREETING_OR_THANKS.test(clause) && clause.split(/\s+/).length <= 4) continue;
    let previous: { key: string; surface: string } | undefined;
    const tokens = clause.match(/[\p{L}][\p{L}'-]*/gu) ?? [];
    for (const [index, token] of tokens.entries()) {
      position += 1;
      const bare = token.replace(/'s$/i, '').replace(/^'+|'+$/g, '');
      const word = bare.toLowerCase();
      // Names keep their capital ("Pegasus"); a clause's first word is capitalised only by position.
      const surface = index > 0 && /^\p{Lu}/u.test(bare) ? bare : word;
      if (word.length < 3 || SUMMARY_STOP_WORDS.has(word)) {
        previous = undefined;
        continue;
      }
      const key = word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
      if (!verbLike(word)) {
        count([key], surface);
        if (previous !== undefined) count([previous.key, key], `${previous.surface} ${surface}`);
      }
      previous = word.endsWith('ed') ? undefined : { key, surface };
    }
  }
  const ranked = [...candidates.values()].sort((a, b) => b.count - a.count || b.words.length - a.words.length || a.first - b.first);
  const chosen: Candidate[] = [];
  const used = new Set<string>();
  for (const candidate of ranked) {
    if (chosen.length === SUMMARY_TOPICS) break;
    if (candidate.words.some((word) => used.has(word))) continue;
    chosen.push(candidate);
    for (const word of candidate.words) used.add(word);
  }
  return chosen.sort((a, b) => a.first - b.first).map((candidate) => candidate.surface);
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What the user wanted, in their words said of them ("I want to cancel my plan" → "Wanted to cancel their plan"). */
function requestOf(clauses: readonly string[]): string | undefined {
  const forms: readonly [RegExp, string][] = [
    [/^I (?:really )?(?:want|wanted) to\s+(.+)$/i, 'Wanted to'],
    [/^I (?:would like|wanted|want|would love) (?!to\b)(.+)$/i, 'Wanted'],
    [/^I would like to\s+(.+)$/i, 'Wanted to'],
    [/^I need(?:ed)? to\s+(.+)$/i, 'Needed to'],
    [/^I need(?:ed)?\s+(.+)$/i, 'Needed'],
    [/^I am (?:looking|searching) for\s+(.+)$/i, 'Was looking for'],
    [/^I am trying to\s+(.+)$/i, 'Was trying to'],
    [/^(?:please |can you |could you |would you )?help me (?:to )?(.+)$/i, 'Wanted help to'],
  ];
  for (const clause of clauses) {
    for (const [pattern, lead] of forms) {
      const match = pattern.exec(clause);
      const what = match?.[1]?.replace(/[\s.!?]+$/, '').trim();
      if (what === undefined || what === '' || ABOUT_THE_AGENT.test(what) || containsContactDetails(what)) continue;
      return `${lead} ${boundedText(aboutThem(what), QUOTED_QUESTION_CHARS)}`;
    }
  }
  return undefined;
}

/** A short description of the conversation from the user's messages, or undefined when they said nothing of note. */
function summaryOf(messages: readonly ReadMessage[]): string | undefined {
  const clauses = messages.flatMap((m) => m.otherClauses);
  const questions = messages
    .flatMap((m) => m.questions)
    .filter((q) => q.split(/\s+/).length >= 3 && !/^(?:how are you|how is it going|what's up|are you there)\b/i.test(q))
    .filter((q) => !containsContactDetails(q) && !SECRET.test(q));
  const distinctQuestions = [...new Map(questions.map((q) => [q.toLowerCase(), q])).values()].slice(0, SUMMARY_QUESTIONS);
  const topics = topicsOf(clauses);
  const request = requestOf(clauses.filter((clause) => !SECRET.test(clause)));
  const parts: string[] = [];
  if (topics.length > 0) parts.push(`Talked about ${listed(topics)}.`);
  if (distinctQuestions.length > 0) {
    // The quoted question ends the sentence itself: `Asked "Do you ship to Spain?"`, with no period after it.
    parts.push(`Asked ${distinctQuestions.map((q) => `"${boundedText(aboutThem(q), QUOTED_QUESTION_CHARS)}"`).join(' and ')}`);
  }
  if (request !== undefined) parts.push(`${request}.`);
  return parts.length === 0 ? undefined : boundedText(parts.join(' '), SUMMARY_TARGET_CHARS);
}

/** "Name is Anna" says less than "Name is Anna Schmidt" said in the same session: the fuller one is kept. */
function withoutRestatedPrefixes(facts: readonly string[]): string[] {
  const identities = facts.map(factIdentity);
  return facts.filter((_, i) => !identities.some((other, j) => j !== i && other.startsWith(`${identities[i] ?? ''} `)));
}

/** Facts and a summary from the user's messages of a transcript, without a model. */
export function extractMemoryExtractively(transcript: readonly TranscriptEntry[]): ExtractedMemory {
  const messages = transcript
    .filter((entry) => entry.role === 'user' && entry.text.trim() !== '')
    .map((entry) => readUserMessage(entry.text));
  const facts = withoutRestatedPrefixes(normalizeFacts(messages.flatMap((m) => m.facts))).slice(0, MAX_FACTS_PER_SESSION);
  const summary = summaryOf(messages);
  return { ...(summary === undefined ? {} : { summary }), facts, method: 'extractive' };
}

export const extractiveMemoryExtractor: MemoryExtractor = {
  async extract(source: MemorySource): Promise<ExtractedMemory> {
    return extractMemoryExtractively(source.transcript);
  },
};
