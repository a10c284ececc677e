import { describe, expect, it } from 'vitest';
import { buildRouteRequest, parseHeaderLines, parseInvokeInput } from './request-builder.ts';

describe('request builder', () => {
  it('builds a gateway URL under /b/<name> with lower-cased headers and a body for POST', () => {
    expect(
      buildRouteRequest('price-feed', {
        method: 'POST',
        path: '/visits?x=1',
        headersText: 'X-Trace: 1\n\nContent-Type: text/plain',
        body: 'hi',
      }),
    ).toEqual({
      url: '/b/price-feed/visits?x=1',
      init: { method: 'POST', headers: { 'x-trace': '1', 'content-type': 'text/plain' }, body: 'hi' },
    });
  });

  it('says what is wrong: a path without /, a header line without a colon, a GET with a body', () => {
    expect(buildRouteRequest('a1', { method: 'GET', path: 'price', headersText: '', body: '' })).toEqual({
      error: 'a path starts with /, e.g. /price',
    });
    expect(parseHeaderLines('Accept: */*\nnot a header')).toEqual({ error: 'header line 2 is not "Name: value"' });
    expect(buildRouteRequest('a1', { method: 'GET', path: '/', headersText: '', body: '{}' })).toEqual({
      error: 'a GET request has no body; pick POST or PUT',
    });
  });

  it('reads invoke input as JSON, nothing when empty', () => {
    expect(parseInvokeInput(' ')).toEqual({ input: undefined });
    expect(parseInvokeInput('{"a":1}')).toEqual({ input: { a: 1 } });
    expect(parseInvokeInput('{a:1}')).toMatchObject({ error: expect.stringMatching(/^the input is not JSON/) });
  });
});
