import { describe, expect, it } from 'vitest';
import { FIELDS_FIXED_AT_CREATION, type Companion } from '../../../shared/domain/companion.js';
import { publicCompanionOf } from '../../../shared/domain/companion-public-view.js';
import { ValidationError } from '../../../shared/domain/errors.js';
import { queryObjectOf } from '../../../shared/http/query-params.js';
import { companionResponse, listCompanionsQuery, updateCompanionBody } from '../../../shared/http/schemas/companion.js';
import { createDigitalTwinBody } from '../../../shared/http/schemas/digital-twin.js';
import { grantDigitalTwinConsentBody } from '../../../shared/http/schemas/digital-twin-consent.js';
import { parseInput } from '../../../shared/http/zod-problems.js';

const query = (text: string) => parseInput(listCompanionsQuery, queryObjectOf(new URLSearchParams(text)), 'query');

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}

describe('companion request schemas', () => {
  it('accepts statuses as statuses[]=a&statuses[]=b, as repeated statuses and as statuses=a,b', () => {
    expect(query('statuses[]=pending&statuses[]=failed').statuses).toEqual(['pending', 'failed']);
    expect(query('statuses=pending&statuses=failed').statuses).toEqual(['pending', 'failed']);
    expect(query('statuses=pending,failed').statuses).toEqual(['pending', 'failed']);
    expect(query('statuses=pending').statuses).toEqual(['pending']);
    expect(problemsOf(() => query('statuses=pending,ready'))).toEqual([{ path: 'query.statuses.1', message: expect.any(String) }]);
  });

  it('reads tags=key:value filters, repeated, with colons and commas kept in the value', () => {
    expect(query('tags=team:support').tags).toEqual([{ key: 'team', value: 'support' }]);
    expect(query('tags=team:support&tags=url:https://x,y').tags).toEqual([
      { key: 'team', value: 'support' },
      { key: 'url', value: 'https://x,y' },
    ]);
    expect(problemsOf(() => query('tags=novalue'))).toEqual([{ path: 'query.tags.0', message: 'must be key:value' }]);
  });

  it('matches ethnicity without regard to case, gives paging defaults, and refuses unknown parameters', () => {
    expect(query('ethnicity=caucasian&search=%20Ava%20')).toMatchObject({ ethnicity: 'Caucasian', search: 'Ava', pageIndex: 0, pageSize: 20 });
    expect(problemsOf(() => query('ethnicity=Martian'))).toEqual([{ path: 'query.ethnicity', message: expect.stringContaining('ethnicities') }]);
    expect(problemsOf(() => query('colour=blue'))).toEqual([{ path: 'query.colour', message: 'is not a known field' }]);
  });

  it('refuses each appearance or identity field in a PATCH, naming it, and an empty PATCH', () => {
    for (const field of FIELDS_FIXED_AT_CREATION) {
      expect(problemsOf(() => parseInput(updateCompanionBody, { headline: 'h', [field]: 'v1' }))).toEqual([
        { path: field, message: 'is fixed at creation and cannot be changed' },
      ]);
    }
    expect(problemsOf(() => parseInput(updateCompanionBody, { gender: 'male', videoUrl: 'https://x.example/v.mp4' }))).toEqual(
      expect.arrayContaining([
        { path: 'gender', message: 'is fixed at creation and cannot be changed' },
        { path: 'videoUrl', message: 'is fixed at creation and cannot be changed' },
      ]),
    );
    expect(problemsOf(() => parseInput(updateCompanionBody, {}))).toEqual([{ path: '', message: expect.stringContaining('at least one') }]);
    expect(parseInput(updateCompanionBody, { tags: { team: 'a' }, lastName: 'B' })).toEqual({ tags: { team: 'a' }, lastName: 'B' });
  });

  it('requires every identity field of a digital twin and checks externalClientId and URLs', () => {
    const problems = problemsOf(() => parseInput(createDigitalTwinBody, { description: 'd', externalClientId: 'bad id!', voiceUrl: 'ftp://x/y' }));
    expect(problems.map((p) => p.path).sort()).toEqual(['ethnicity', 'externalClientId', 'firstName', 'gender', 'lastName', 'voiceUrl']);
    expect(problemsOf(() => parseInput(createDigitalTwinBody, { description: 'd', tags: { __proto__x: 'a' } })).map((p) => p.path)).toContain('tags.__proto__x');
  });

  it('takes {granted: true} or no body to give consent', () => {
    expect(parseInput(grantDigitalTwinConsentBody, undefined)).toBeUndefined();
    expect(parseInput(grantDigitalTwinConsentBody, { granted: true })).toEqual({ granted: true });
    expect(problemsOf(() => parseInput(grantDigitalTwinConsentBody, { granted: false })).map((p) => p.path)).toEqual(['granted']);
  });
});

describe('companion response', () => {
  const companion: Companion = {
    id: 'comp_abc',
    projectId: 'proj_1',
    orgId: 'org_1',
    personaType: 'digitalTwin',
    firstName: 'Sarah',
    lastName: 'Johnson',
    description: 'd',
    headline: '',
    gender: 'female',
    ethnicity: 'Caucasian',
    version: 'v1',
    tags: { a: 'b' },
    externalClientId: 'sarah-1',
    status: 'failed',
    failureReason: 'VoiceSampleTooShort',
    warnings: [{ code: 'PictureCropped', message: 'centre-cropped to 16:9' }],
    avatar: { views: { round: { blobPath: 'proj_1/comp_abc/views/round.png', contentType: 'image/png', width: 512, height: 512 } } },
    voice: { status: 'failed', failureReason: 'VoiceSampleTooShort' },
    media: {
      voice: { source: 'url', url: 'https://x/v.wav', blobPath: 'proj_1/comp_abc/voice/source', status: 'rejected', failureCode: 'VoiceSampleTooShort' },
      picture: { source: 'upload', blobPath: 'proj_1/comp_abc/picture/source', status: 'accepted' },
    },
    created: '2025-01-01T00:00:00.000Z',
    updated: '2025-01-01T00:00:00.000Z',
    etag: 'v1tag',
  };

  it('shows clients no storage paths, project or organization, and says the same as webhook events', () => {
    const sent = companionResponse.parse(companion);
    const text = JSON.stringify(sent);
    expect(text).not.toContain('blobPath');
    expect(text).not.toContain('proj_1');
    expect(sent.etag).toBe('"v1tag"');
    expect(JSON.parse(JSON.stringify(publicCompanionOf(companion)))).toEqual(JSON.parse(text));
  });
});
