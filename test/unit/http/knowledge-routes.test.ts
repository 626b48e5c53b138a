import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../shared/http/openapi.js';
import { RouteRegistry } from '../../../shared/http/route-registry.js';
import { defineRoute } from '../../../shared/http/route.js';
import { knowledgeBasePathParams } from '../../../shared/http/schemas/knowledge-base.js';
import { addKnowledgeFileByUrlBody, addKnowledgeFileMultipartBody, knowledgeFileResponse } from '../../../shared/http/schemas/knowledge-file.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated document is plain JSON; each assertion names the fields it reads
type Json = Record<string, any>;

describe('the add-file route in the API description', () => {
  it('describes both bodies it reads itself: JSON {url} and multipart with one binary file part', () => {
    const registry = new RouteRegistry();
    defineRoute(
      {
        name: 'add',
        method: 'POST',
        route: 'public/knowledge-bases/{id}/files',
        auth: 'apiKey',
        summary: 'Add a file',
        params: knowledgeBasePathParams,
        requestContent: { 'application/json': addKnowledgeFileByUrlBody, 'multipart/form-data': addKnowledgeFileMultipartBody },
        responses: { 201: { description: 'The file', schema: knowledgeFileResponse } },
      },
      registry,
    );
    const body = (buildOpenApiDocument(registry.all(), { title: 't', version: '1' }) as Json).paths['/public/knowledge-bases/{id}/files'].post.requestBody as Json;
    expect(body.required).toBe(true);
    expect(body.content['application/json'].schema).toMatchObject({ required: ['url'], additionalProperties: false });
    expect(body.content['multipart/form-data'].schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  });
});
