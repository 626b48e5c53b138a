import { z } from 'zod';
import type { MembershipIndex, MembershipIndexEntry } from '../../domain/membership-index.js';
import type { CountedContainer } from './counted-container.js';
import { parseDocument } from './document-parsing.js';

const CONTAINER = 'memberships';

/** Partitioned by principal so that "my organizations" is a single-partition query; the id is the organization id. */
const entryDocument = z.object({
  id: z.string(),
  principalKey: z.string(),
  orgId: z.string(),
  memberId: z.string(),
});

export class CosmosMembershipIndex implements MembershipIndex {
  constructor(private readonly container: CountedContainer) {}

  async listByPrincipal(principalKey: string): Promise<MembershipIndexEntry[]> {
    const documents = await this.container.query(
      { query: 'SELECT * FROM c WHERE c.principalKey = @principalKey', parameters: [{ name: '@principalKey', value: principalKey }] },
      principalKey,
    );
    return documents.map((document) => {
      const d = parseDocument(entryDocument, document, CONTAINER);
      return { principalKey: d.principalKey, orgId: d.orgId, memberId: d.memberId };
    });
  }

  async put(entry: MembershipIndexEntry): Promise<void> {
    await this.container.upsert({ id: entry.orgId, type: 'membership', ...entry });
  }

  async remove(principalKey: string, orgId: string): Promise<void> {
    await this.container.delete(orgId, principalKey);
  }
}
