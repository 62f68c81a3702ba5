/**
 * Normalization of validated events, without I/O: timestamps to UTC, money to exact decimal strings
 * in the currency's minor units, and order totals computed in integer minor units (BigInt), so no
 * amount ever passes through floating-point arithmetic.
 *
 * Every function throws a {@link NormalizationError} naming the field (as a JSON pointer) and the bad
 * value; the transformer turns it into an INVALID_VALUE rejection.
 */
import type {
  ApplicationLogEvent,
  ClickstreamEvent,
  InventoryMovement,
  OrderEvent,
  ProductMetadataEvent,
  ReviewEvent,
} from '../../contracts/generated/types';
import type { EventContractName } from '../../contracts/registry';
import { minorDigitsOf } from './currencies';

/** A value that passed its contract but cannot be normalized (an impossible date, an unknown currency, ...). */
export class NormalizationError extends Error {
  /**
   * @param field - JSON pointer of the offending field, for example `/lines/0/unit_price`.
   * @param message - what is wrong with the value and what to do about it.
   */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'NormalizationError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Timestamps

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Days of each month of a common year, January first. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return DAYS_IN_MONTH[month - 1];
}

function impossible(field: string, value: string, what: string): never {
  throw new NormalizationError(field, `'${value}' is not a real instant: ${what}`);
}

const CHAR_0 = 48;
const CHAR_9 = 57;

/** The value of the two ASCII digits at `at`, or -1 when either is not a digit. */
function twoDigits(value: string, at: number): number {
  const a = value.charCodeAt(at) - CHAR_0;
  const b = value.charCodeAt(at + 1) - CHAR_0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The fast path of {@link normalizeTimestamp}: the canonical UTC forms producers send,
 * `YYYY-MM-DDTHH:mm:ssZ` (20 characters) and `YYYY-MM-DDTHH:mm:ss.sssZ` (24), checked field by field
 * without a regular expression or a Date. Returns the normalized value, or undefined when the value
 * is not in one of those forms or is not a real instant (the general path then words the error).
 */
function canonicalUtc(value: string): string | undefined {
  const length = value.length;
  if (length !== 24 && length !== 20) return undefined;
  if (
    value.charCodeAt(4) !== 45 /* - */ ||
    value.charCodeAt(7) !== 45 /* - */ ||
    value.charCodeAt(10) !== 84 /* T */ ||
    value.charCodeAt(13) !== 58 /* : */ ||
    value.charCodeAt(16) !== 58 /* : */ ||
    value.charCodeAt(length - 1) !== 90 /* Z */
  ) {
    return undefined;
  }
  if (length === 24) {
    if (value.charCodeAt(19) !== 46 /* . */) return undefined;
    const c = value.charCodeAt(22);
    if (twoDigits(value, 20) < 0 || c < CHAR_0 || c > CHAR_9) return undefined;
  }
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (
    century < 0 ||
    yy < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(century * 100 + yy, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return undefined;
  }
  return length === 24 ? value : `${value.slice(0, 19)}.000Z`;
}

/**
 * Converts an RFC 3339 timestamp with any offset to UTC as `YYYY-MM-DDTHH:mm:ss.sssZ`. Fractions finer
 * than a millisecond are truncated. Impossible dates (2023-02-29, 24:00, a +25:00 offset) and leap
 * seconds are refused. The output sorts lexicographically in time order, which the conditional
 * writes rely on.
 *
 * The canonical UTC forms (`...:ssZ`, `...:ss.sssZ`) take a fast path that only checks the calendar;
 * every other form is parsed in full.
 *
 * @param value - the timestamp as sent.
 * @param field - JSON pointer of the field, for the error message.
 */
export function normalizeTimestamp(value: string, field: string): string {
  const fast = canonicalUtc(value);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(value);
  if (!m) {
    throw new NormalizationError(
      field,
      `'${value.slice(0, 40)}' is not an RFC 3339 date-time; send YYYY-MM-DDTHH:mm:ss[.sss](Z|+hh:mm)`,
    );
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12) impossible(field, value, `month ${m[2]} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) {
    impossible(field, value, `day ${m[3]} does not exist in ${m[1]}-${m[2]}`);
  }
  if (hour > 23) impossible(field, value, `hour ${m[4]} is out of range 00-23`);
  if (minute > 59) impossible(field, value, `minute ${m[5]} is out of range 00-59`);
  if (second === 60) impossible(field, value, 'leap seconds are not supported; send 59.999');
  if (second > 59) impossible(field, value, `second ${m[6]} is out of range 00-59`);
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) impossible(field, value, `offset ${m[9]}${m[10]}:${m[11]} is out of range`);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const utc = new Date(date.getTime() - offsetMinutes * 60_000);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) impossible(field, value, 'it falls outside the years 0000-9999 in UTC');
  return utc.toISOString();
}

/** Epoch seconds of a normalized UTC timestamp plus a number of days (a DynamoDB TTL value). */
export function expiresAt(utcTimestamp: string, days: number): number {
  return Math.floor(Date.parse(utcTimestamp) / 1000) + days * 86_400;
}

// ---------------------------------------------------------------------------------------------------
// Money

/** An exact non-negative decimal: `units / 10^scale`. */
interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_STRING = /^(\d+)(?:\.(\d+))?$/;
const NUMBER_STRING = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

function parseDecimal(value: number | string, field: string): Decimal {
  let text: string;
  let re: RegExp;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new NormalizationError(field, `${String(value)} is not a non-negative finite amount`);
    }
    // The shortest string that round-trips the double: 0.1 is "0.1", never 0.1000000000000000055...
    text = String(value);
    re = NUMBER_STRING;
  } else {
    text = value;
    re = DECIMAL_STRING;
  }
  const m = re.exec(text);
  if (!m) throw new NormalizationError(field, `'${text.slice(0, 40)}' is not a non-negative decimal amount`);
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? '0');
  let units = BigInt(m[1] + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

function describeAmount(value: number | string): string {
  return typeof value === 'number' ? String(value) : `'${value}'`;
}

/**
 * Converts an amount to integer minor units of a currency (cents for USD, yen for JPY, fils for
 * KWD), exactly. An amount with more precision than the currency has is refused, never rounded.
 *
 * @param value - a JSON number or a decimal string, as the Money contract allows.
 * @param currency - a supported ISO 4217 code.
 * @param field - JSON pointer of the field, for the error message.
 */
export function toMinorUnits(value: number | string, currency: string, field: string): bigint {
  const digits = currencyDigits(currency, field);
  const { units, scale } = parseDecimal(value, field);
  if (scale <= digits) return units * 10n ** BigInt(digits - scale);
  const divisor = 10n ** BigInt(scale - digits);
  if (units % divisor !== 0n) {
    throw new NormalizationError(
      field,
      `${describeAmount(value)} has more decimals than ${currency}'s ${digits} minor digit(s); send the amount rounded to whole minor units`,
    );
  }
  return units / divisor;
}

/** Formats integer minor units as a decimal string with exactly the currency's minor digits. */
export function formatMinorUnits(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency, '/currency');
  return formatScaled(minor, digits);
}

function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * Normalizes an amount to a decimal string with the currency's minor digits: `19.9` in EUR is
 * `"19.90"`, `1500` in JPY is `"1500"`, `1.5` in KWD is `"1.500"`.
 */
export function normalizeMoney(value: number | string, currency: string, field: string): string {
  return formatMinorUnits(toMinorUnits(value, currency, field), currency);
}

/**
 * Normalizes an amount whose currency is not known to the event (a payment on an order.paid that does
 * not repeat the currency): an exact decimal string with at least 2 decimals and no trailing zeros
 * beyond them (`10` is `"10.00"`, `10.125` stays `"10.125"`).
 */
export function normalizeMoneyWithoutCurrency(value: number | string, field: string): string {
  let { units, scale } = parseDecimal(value, field);
  while (scale > 2 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  if (scale < 2) {
    units *= 10n ** BigInt(2 - scale);
    scale = 2;
  }
  return formatScaled(units, scale);
}

function currencyDigits(currency: string, field: string): number {
  const digits = minorDigitsOf(currency);
  if (digits === undefined) {
    throw new NormalizationError(
      field,
      `currency '${currency}' is not supported; use one listed in lambdas/shared/currencies.ts or add it there with its ISO 4217 minor unit`,
    );
  }
  return digits;
}

// ---------------------------------------------------------------------------------------------------
// Events

/** An order line with its amounts normalized and its net amount computed exactly. */
export interface NormalizedOrderLine {
  readonly line_number: number;
  readonly sku: string;
  readonly product_id: number;
  readonly quantity: number;
  /** Decimal string in the order currency's minor digits. */
  readonly unit_price: string;
  /** Total discount on the line; "0.00" (in the currency's digits) when none was sent. */
  readonly discount: string;
  /** quantity x unit_price - discount, exact. */
  readonly net_amount: string;
}

/** An order event after normalization: UTC event_time, decimal-string money, exact totals. */
export interface NormalizedOrderEvent extends Omit<
  OrderEvent,
  'lines' | 'shipping_amount' | 'payment' | 'campaign_id'
> {
  readonly campaign_id?: string;
  readonly lines?: readonly NormalizedOrderLine[];
  readonly shipping_amount?: string;
  /** Σ line net_amount + shipping_amount, exact (order.created only). */
  readonly order_total?: string;
  /** Σ line quantity: the number of units ordered (order.created only). */
  readonly item_count?: number;
  readonly payment?: Omit<NonNullable<OrderEvent['payment']>, 'amount'> & { readonly amount: string };
}

/** A validated and normalized event, tagged with its contract. */
export type NormalizedEvent =
  | { readonly contract: 'order-event'; readonly event: NormalizedOrderEvent }
  | { readonly contract: 'inventory-movement'; readonly event: InventoryMovement }
  | { readonly contract: 'clickstream-event'; readonly event: ClickstreamEvent }
  | { readonly contract: 'review-event'; readonly event: ReviewEvent }
  | { readonly contract: 'product-metadata-event'; readonly event: ProductMetadataEvent }
  | { readonly contract: 'application-log-event'; readonly event: ApplicationLogEvent };

/** The top-level timestamp fields of each event contract other than orders, normalized to UTC. */
const TIMESTAMP_FIELDS: Record<Exclude<EventContractName, 'order-event'>, readonly string[]> = {
  'inventory-movement': ['event_time'],
  'clickstream-event': ['event_time', 'timestamp'],
  'review-event': ['event_time', 'review_date'],
  'product-metadata-event': ['event_time'],
  'application-log-event': ['event_time', 'timestamp'],
};

/**
 * Normalizes an event that passed its contract (contracts/validate.ts `checkEvent`). Returns a new
 * object; the input is not modified.
 *
 * @throws NormalizationError when a value cannot be normalized.
 */
export function normalizeEvent(contract: EventContractName, value: unknown): NormalizedEvent {
  if (contract === 'order-event') return { contract, event: normalizeOrderEvent(value as OrderEvent) };
  const event: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of TIMESTAMP_FIELDS[contract]) {
    event[field] = normalizeTimestamp(event[field] as string, `/${field}`);
  }
  // The contract check guaranteed the shape; only the timestamps changed.
  return { contract, event } as unknown as NormalizedEvent;
}

/**
 * Normalizes an order event and, when it carries lines, computes each line's net amount and the
 * order total in integer minor units: total = Σ (quantity × unit_price − discount) + shipping_amount.
 */
export function normalizeOrderEvent(e: OrderEvent): NormalizedOrderEvent {
  const { lines, shipping_amount, payment, campaign_id, ...rest } = e;
  const currency = e.currency;
  if (currency !== undefined) currencyDigits(currency, '/currency');
  const out: {
    -readonly [K in keyof NormalizedOrderEvent]: NormalizedOrderEvent[K];
  } = { ...rest, event_time: normalizeTimestamp(e.event_time, '/event_time') };
  if (typeof campaign_id === 'string') out.campaign_id = campaign_id;

  let total: bigint | undefined;
  if (lines !== undefined) {
    if (currency === undefined) {
      throw new NormalizationError('/currency', 'an event with lines must carry the order currency');
    }
    const seen = new Set<number>();
    total = 0n;
    let items = 0;
    out.lines = lines.map((line, i) => {
      const at = `/lines/${i}`;
      if (seen.has(line.line_number)) {
        throw new NormalizationError(`${at}/line_number`, `line_number ${line.line_number} appears twice`);
      }
      seen.add(line.line_number);
      const unit = toMinorUnits(line.unit_price, currency, `${at}/unit_price`);
      const discount =
        line.discount === undefined ? 0n : toMinorUnits(line.discount, currency, `${at}/discount`);
      const gross = unit * BigInt(line.quantity);
      const net = gross - discount;
      if (net < 0n) {
        throw new NormalizationError(
          `${at}/discount`,
          `discount ${formatMinorUnits(discount, currency)} exceeds the line's gross ${formatMinorUnits(gross, currency)} (${line.quantity} x ${formatMinorUnits(unit, currency)})`,
        );
      }
      total = (total as bigint) + net;
      items += line.quantity;
      return {
        line_number: line.line_number,
        sku: line.sku,
        product_id: line.product_id,
        quantity: line.quantity,
        unit_price: formatMinorUnits(unit, currency),
        discount: formatMinorUnits(discount, currency),
        net_amount: formatMinorUnits(net, currency),
      };
    });
    out.item_count = items;
  }
  if (shipping_amount !== undefined) {
    if (currency !== undefined) {
      const shipping = toMinorUnits(shipping_amount, currency, '/shipping_amount');
      out.shipping_amount = formatMinorUnits(shipping, currency);
      if (total !== undefined) total += shipping;
    } else {
      out.shipping_amount = normalizeMoneyWithoutCurrency(shipping_amount, '/shipping_amount');
    }
  }
  if (total !== undefined && currency !== undefined) out.order_total = formatMinorUnits(total, currency);
  if (payment !== undefined) {
    out.payment = {
      ...payment,
      amount:
        currency !== undefined
          ? normalizeMoney(payment.amount, currency, '/payment/amount')
          : normalizeMoneyWithoutCurrency(payment.amount, '/payment/amount'),
    };
  }
  return out;
}
