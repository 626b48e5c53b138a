import { describe, expect, it } from 'vitest';
import { ConfigError, knowledgeUploadExpirySchedule, parseConfig } from '../../../shared/config.js';

const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'https://localhost:8081/' };

describe('the knowledge upload expiry schedule', () => {
  it('when KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE is unset, the sweep runs every five minutes', () => {
    expect(knowledgeUploadExpirySchedule({})).toBe('0 */5 * * * *');
    expect(parseConfig(minimal).knowledgeUploadExpirySchedule).toBe('0 */5 * * * *');
  });

  it.each(['0 */1 * * * *', '*/10 * * * *', '00:02:00'])('when it is %s, that schedule is used', (schedule) => {
    expect(knowledgeUploadExpirySchedule({ KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: ` ${schedule} ` })).toBe(schedule);
  });

  it('when it is malformed, start-up stops naming the setting', () => {
    expect(() => knowledgeUploadExpirySchedule({ KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: 'every five minutes please' })).toThrow(ConfigError);
    expect(() => knowledgeUploadExpirySchedule({ KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: 'soon' })).toThrow(/KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE/);
    expect(() => parseConfig({ ...minimal, KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE: 'soon' })).toThrow(/KNOWLEDGE_UPLOAD_EXPIRY_SCHEDULE/);
  });
});
