/**
 * The ISO 4217 currencies the platform accepts, with their minor-unit digits (the number of decimals
 * an amount in that currency has). An order in any other currency is rejected with INVALID_VALUE
 * rather than guessed at: add the code here (with its ISO 4217 minor unit) to accept it.
 *
 * Source of the minor units: the ISO 4217 list ("Minor unit" column), as maintained by SIX.
 */

/** Currencies with 2 minor digits (the default). */
// prettier-ignore
const TWO_DIGITS = [
  'AED', 'ARS', 'AUD', 'BGN', 'BRL', 'CAD', 'CHF', 'CNY', 'COP', 'CZK', 'DKK', 'EGP', 'EUR', 'GBP',
  'HKD', 'HUF', 'IDR', 'ILS', 'INR', 'KES', 'MAD', 'MXN', 'MYR', 'NGN', 'NOK', 'NZD', 'PEN', 'PHP',
  'PLN', 'QAR', 'RON', 'RSD', 'SAR', 'SEK', 'SGD', 'THB', 'TRY', 'TWD', 'UAH', 'USD', 'ZAR',
] as const;

/** Currencies without minor units. */
// prettier-ignore
const ZERO_DIGITS = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF',
  'XOF', 'XPF',
] as const;

/** Currencies with 3 minor digits. */
const THREE_DIGITS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;

/** Currencies with 4 minor digits (units of account). */
const FOUR_DIGITS = ['CLF', 'UYW'] as const;

/** An ISO 4217 code the platform supports. */
export type SupportedCurrency =
  | (typeof TWO_DIGITS)[number]
  | (typeof ZERO_DIGITS)[number]
  | (typeof THREE_DIGITS)[number]
  | (typeof FOUR_DIGITS)[number];

/** Minor-unit digits of every supported currency. */
export const CURRENCY_MINOR_DIGITS: Readonly<Record<SupportedCurrency, number>> = Object.freeze({
  ...Object.fromEntries(TWO_DIGITS.map((c) => [c, 2])),
  ...Object.fromEntries(ZERO_DIGITS.map((c) => [c, 0])),
  ...Object.fromEntries(THREE_DIGITS.map((c) => [c, 3])),
  ...Object.fromEntries(FOUR_DIGITS.map((c) => [c, 4])),
}) as Record<SupportedCurrency, number>;

/** Whether a code is one of the supported currencies. */
export function isSupportedCurrency(code: string): code is SupportedCurrency {
  return Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_DIGITS, code);
}

/** The minor-unit digits of a supported currency, or undefined for any other code. */
export function minorDigitsOf(code: string): number | undefined {
  return isSupportedCurrency(code) ? CURRENCY_MINOR_DIGITS[code] : undefined;
}
