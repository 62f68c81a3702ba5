/**
 * Decoding of a Kinesis record's data: base64 → bytes → UTF-8 text → JSON, with a size limit. Pure and
 * synchronous; every failure is a result with a stable code, never an exception.
 */

/** Why a record's data could not be decoded. */
export type DecodeRejectionCode = 'NOT_BASE64' | 'OVERSIZED' | 'NOT_UTF8' | 'MALFORMED_JSON';

/** The outcome of decoding one record's data. */
export type DecodeResult =
  | { readonly ok: true; readonly value: unknown; readonly bytes: number }
  | { readonly ok: false; readonly code: DecodeRejectionCode; readonly message: string };

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The number of bytes a canonical base64 string decodes to, without decoding it. */
function decodedLength(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

/**
 * Decodes the base64 `data` of a Kinesis record into a JSON value.
 *
 * - NOT_BASE64: the data is not canonical base64 (wrong alphabet, length or padding); the check is
 *   strict: decoding then re-encoding must give the same string back.
 * - OVERSIZED: the decoded payload is larger than `maxRecordBytes`.
 * - NOT_UTF8: the bytes are not valid UTF-8 (a leading byte order mark is accepted and dropped).
 * - MALFORMED_JSON: the text is not JSON; the message carries the parser's reason and, when the parser
 *   gives one, the byte offset of the error.
 *
 * The round trip alone refuses every string outside the alphabet (Node's decoder skips such
 * characters, so the re-encoding differs), so the alphabet is scanned only on the way to a
 * rejection, to word its message.
 *
 * @param data - the record's `kinesis.data`, as Lambda delivers it (base64).
 * @param maxRecordBytes - the largest accepted decoded payload, in bytes.
 */
export function decodeRecordData(data: string, maxRecordBytes: number): DecodeResult {
  if (data.length % 4 !== 0) return notBase64Alphabet(data);
  const size = decodedLength(data);
  if (size > maxRecordBytes) {
    if (!BASE64_ALPHABET.test(data)) return notBase64Alphabet(data);
    return {
      ok: false,
      code: 'OVERSIZED',
      message: `payload is ${size} bytes, over the limit of ${maxRecordBytes} bytes; split the event or move large fields to the lake`,
    };
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.toString('base64') !== data) {
    if (!BASE64_ALPHABET.test(data)) return notBase64Alphabet(data);
    return {
      ok: false,
      code: 'NOT_BASE64',
      message:
        'data is not canonical base64 (it does not round-trip: misplaced padding or non-zero trailing bits)',
    };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      ok: false,
      code: 'NOT_UTF8',
      message: `payload of ${bytes.length} bytes is not valid UTF-8 (first bad sequence near byte ${firstInvalidUtf8Byte(bytes)}); encode events as UTF-8 JSON`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text), bytes: bytes.length };
  } catch (err) {
    return { ok: false, code: 'MALFORMED_JSON', message: describeJsonError(err, text) };
  }
}

/** The NOT_BASE64 rejection of data with a wrong length or characters outside the alphabet. */
function notBase64Alphabet(data: string): DecodeResult {
  return {
    ok: false,
    code: 'NOT_BASE64',
    message: `data is not valid base64 (length ${data.length}${data.length % 4 !== 0 ? ', not a multiple of 4' : ', characters outside A-Z a-z 0-9 + / ='}); producers must send the raw JSON bytes and let the SDK encode them`,
  };
}

/**
 * The parser's reason without the payload excerpt V8 appends to some messages (rejections are logged,
 * and logs must not carry payloads), plus the byte offset when the parser reports a position.
 */
function describeJsonError(err: unknown, text: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  const reason = raw.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(raw);
  let where = '';
  if (position) {
    where = ` at byte offset ${Buffer.byteLength(text.slice(0, Number(position[1])), 'utf8')}`;
  } else if (/Unexpected end of JSON input/.test(raw)) {
    where = ` at byte offset ${Buffer.byteLength(text, 'utf8')} (end of input)`;
  }
  return `payload is not valid JSON: ${reason}${where}; producers must send one JSON object per record`;
}

/** The offset of the first byte that breaks UTF-8, for the rejection message. */
function firstInvalidUtf8Byte(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return 0; // overlong or surrogate sequences: the decoder refused them, this scan does not locate them
}
