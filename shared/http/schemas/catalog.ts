import { z } from 'zod';

export const ethnicitiesResponse = z.object({
  items: z.array(z.string()).describe('the accepted ethnicity values, to send exactly as listed'),
});

export const voicesResponse = z.object({
  items: z.array(
    z.object({
      id: z.string().describe('the voiceId to give an agent or connection'),
      name: z.string(),
      description: z.string(),
      provider: z.literal('azureOpenAI'),
    }),
  ),
});
