import { describe, expect, it } from 'vitest';
import { runInInvocationScope } from '../../../shared/adapters/observability/invocation-scope.js';
import { redactText, structuredLogger, structuredMetrics, type LogLevel } from '../../../shared/adapters/observability/structured-log.js';

function capture() {
  const lines: { line: Record<string, unknown>; level: LogLevel }[] = [];
  const write = (line: string, level: LogLevel) => lines.push({ line: JSON.parse(line) as Record<string, unknown>, level });
  return { lines, write, now: () => new Date('2026-11-21T10:00:00.000Z') };
}

describe('structured logs', () => {
  it('writes one JSON object per line with the level, the message and the properties', () => {
    const sink = capture();
    structuredLogger(sink).warn('the webhook answered 500', { projectId: 'proj_1', status: 500 });
    expect(sink.lines).toEqual([
      {
        level: 'warning',
        line: { time: '2026-11-21T10:00:00.000Z', level: 'warning', message: 'the webhook answered 500', properties: { projectId: 'proj_1', status: 500 } },
      },
    ]);
  });

  it('inside an invocation, every line carries its invocation id, function name and correlation id', async () => {
    const sink = capture();
    const logger = structuredLogger(sink);
    const metrics = structuredMetrics(sink);
    await runInInvocationScope({ invocationId: 'inv-1', functionName: 'session-events', correlationId: 'corr-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.error('failed');
      metrics.record('session.active_seconds', 61, { hosting: 'hosted' });
    });
    logger.warn('outside');
    expect(sink.lines.map((l) => l.line)).toEqual([
      expect.objectContaining({ message: 'failed', invocationId: 'inv-1', functionName: 'session-events', correlationId: 'corr-1' }),
      expect.objectContaining({ metric: 'session.active_seconds', value: 61, dimensions: { hosting: 'hosted' }, invocationId: 'inv-1', correlationId: 'corr-1' }),
      expect.not.objectContaining({ invocationId: expect.anything() }),
    ]);
  });

  it('never writes secrets: secret-named properties, SAS signatures, bearer tokens and account keys are redacted', () => {
    const sink = capture();
    structuredLogger(sink).error('upload to https://acct.blob.core.windows.net/c/b?sv=2024&sig=abcDEF%2B123&se=2026 failed', {
      apiKey: 'ck_live_123',
      sessionToken: 'eyJhbGciOi',
      signingSecret: 'whsec_1',
      headers: { authorization: 'Bearer abc.def.ghi', accept: 'application/json' },
      connection: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net',
      error: new Error('request with Authorization: Bearer xyz.123 failed'),
      partitionKeyPath: '/projectId',
      keyId: 'key_1',
      tokenCount: 42,
    });
    const text = JSON.stringify(sink.lines);
    for (const secret of ['ck_live_123', 'eyJhbGciOi', 'whsec_1', 'abc.def.ghi', 'c2VjcmV0', 'abcDEF', 'xyz.123']) expect(text).not.toContain(secret);
    const properties = sink.lines[0]?.line['properties'] as Record<string, unknown>;
    expect(properties).toMatchObject({
      apiKey: '[redacted]',
      sessionToken: '[redacted]',
      signingSecret: '[redacted]',
      headers: { authorization: '[redacted]', accept: 'application/json' },
      partitionKeyPath: '/projectId',
      keyId: 'key_1',
      tokenCount: 42,
    });
    expect(sink.lines[0]?.line['message']).toBe('upload to https://acct.blob.core.windows.net/c/b?sv=2024&sig=[redacted]&se=[redacted] failed');
    expect(properties['error']).toMatchObject({ name: 'Error', message: 'request with Authorization: Bearer [redacted] failed' });
  });

  it('leaves ordinary text alone', () => {
    expect(redactText('session sess_1 closed after 61 s (idle_timeout)')).toBe('session sess_1 closed after 61 s (idle_timeout)');
  });
});

describe('structured metrics', () => {
  it('writes the metric name, value and dimensions, and drops values that are not finite numbers', () => {
    const sink = capture();
    const metrics = structuredMetrics(sink);
    metrics.record('knowledge.ingest_ms', 812, { outcome: 'ready' });
    metrics.record('knowledge.ingest_ms', Number.NaN, { outcome: 'ready' });
    metrics.record('knowledge.ingest_ms', Number.POSITIVE_INFINITY);
    expect(sink.lines).toEqual([
      { level: 'information', line: { time: '2026-11-21T10:00:00.000Z', metric: 'knowledge.ingest_ms', value: 812, dimensions: { outcome: 'ready' } } },
    ]);
  });
});
