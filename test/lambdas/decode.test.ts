import { decodeRecordData } from '../../lambdas/shared/decode';

const b64 = (text: string | Buffer): string =>
  (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64');
const LIMIT = 1024;

describe('decodeRecordData', () => {
  test('decodes base64 UTF-8 JSON and reports its size', () => {
    // Prepare
    const data = b64('{"event_type":"order.paid","note":"café"}');

    // Act
    const result = decodeRecordData(data, LIMIT);

    // Assess
    expect(result).toEqual({ ok: true, value: { event_type: 'order.paid', note: 'café' }, bytes: 42 });
  });

  test('accepts and drops a UTF-8 byte order mark', () => {
    const data = b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));

    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: true, value: { a: 1 } });
  });

  test.each([
    ['characters outside the alphabet', 'eyJhIjox*Q=='],
    ['a length that is not a multiple of 4', 'eyJhIjoxfQ'],
    ['padding in the middle', 'ey=hIjoxfQ=='],
    ['raw JSON instead of base64', '{"a":1}'],
    ['non-zero trailing bits (does not round-trip)', 'eyJhIjoxfR=='],
  ])('rejects data with %s as NOT_BASE64', (_case, data) => {
    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'NOT_BASE64' });
  });

  test.each([
    ['characters outside the alphabet', 'eyJhIjox*Q==', /characters outside A-Z a-z 0-9 \+ \/ =/],
    ['a length that is not a multiple of 4', 'eyJhIjoxfQ', /length 10, not a multiple of 4/],
    ['non-zero trailing bits', 'eyJhIjoxfR==', /not canonical base64 \(it does not round-trip/],
    ['base64url characters', 'eyJhIjoxfR-_', /characters outside A-Z a-z 0-9 \+ \/ =/],
  ])('words the NOT_BASE64 message for %s', (_case, data, message) => {
    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'NOT_BASE64' });
    expect(!result.ok && result.message).toMatch(message);
  });

  test('rejects data that is both oversized and outside the alphabet as NOT_BASE64', () => {
    const data = `${b64(JSON.stringify({ pad: 'x'.repeat(2000) }))}*AAA`;

    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'NOT_BASE64' });
  });

  test('rejects a payload over the limit as OVERSIZED, naming the size and the limit', () => {
    const data = b64(JSON.stringify({ pad: 'x'.repeat(2000) }));

    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'OVERSIZED' });
    expect(!result.ok && result.message).toMatch(/payload is 2010 bytes, over the limit of 1024 bytes/);
  });

  test('accepts a payload of exactly the limit', () => {
    const text = JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) });
    expect(Buffer.byteLength(text)).toBe(LIMIT);

    const result = decodeRecordData(b64(text), LIMIT);

    expect(result.ok).toBe(true);
  });

  test('rejects bytes that are not UTF-8 as NOT_UTF8, saying where', () => {
    const data = b64(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));

    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'NOT_UTF8' });
    expect(!result.ok && result.message).toMatch(/near byte 6/);
  });

  test('rejects malformed JSON with the parser message and the byte offset', () => {
    // The parser stops at character 11 (the 2); "é" takes two bytes, so that is byte offset 12.
    const data = b64('{"é":1,"b" 2}');

    const result = decodeRecordData(data, LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'MALFORMED_JSON' });
    expect(!result.ok && result.message).toMatch(/not valid JSON: Unexpected number at byte offset 12;/);
  });

  test('rejects truncated JSON, pointing at the end of input', () => {
    const result = decodeRecordData(b64('{"a":1'), LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'MALFORMED_JSON' });
    expect(!result.ok && result.message).toMatch(/at byte offset 6/);
  });

  test('keeps the payload out of the MALFORMED_JSON message', () => {
    const result = decodeRecordData(b64('{"secret-card-number":4111111111111111,}'), LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'MALFORMED_JSON' });
    expect(!result.ok && result.message).not.toMatch(/4111|secret/);
  });

  test('rejects empty data as MALFORMED_JSON', () => {
    const result = decodeRecordData('', LIMIT);

    expect(result).toMatchObject({ ok: false, code: 'MALFORMED_JSON' });
  });

  test('decodes JSON that is not an object (the contract check rejects it later)', () => {
    const result = decodeRecordData(b64('[1,2,3]'), LIMIT);

    expect(result).toEqual({ ok: true, value: [1, 2, 3], bytes: 7 });
  });
});
