import {
  NormalizationError,
  formatMinorUnits,
  normalizeEvent,
  normalizeMoney,
  normalizeMoneyWithoutCurrency,
  normalizeOrderEvent,
  normalizeTimestamp,
  toMinorUnits,
} from '../../lambdas/shared/normalize';
import { CURRENCY_MINOR_DIGITS, isSupportedCurrency } from '../../lambdas/shared/currencies';
import { appLog, interaction, orderCreated, orderEvent, review } from '../fixtures/events';

describe('normalizeTimestamp', () => {
  test.each([
    ['2024-09-18T14:15:00Z', '2024-09-18T14:15:00.000Z'],
    ['2024-09-18T16:15:00+02:00', '2024-09-18T14:15:00.000Z'],
    ['2024-09-18T09:45:00-04:30', '2024-09-18T14:15:00.000Z'],
    ['2024-09-18t14:15:00.5z', '2024-09-18T14:15:00.500Z'],
    ['2024-09-18T14:15:00.123456789Z', '2024-09-18T14:15:00.123Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'],
    ['2024-02-29T23:00:00-02:00', '2024-03-01T01:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0099-06-01T00:00:00Z', '0099-06-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    ['0000-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z'],
    ['2024-09-18T14:15:00.12Z', '2024-09-18T14:15:00.120Z'],
    ['2024-09-18 14:15:00.123Z', '2024-09-18T14:15:00.123Z'],
  ])('%s is %s in UTC', (input, expected) => {
    // Act
    const utc = normalizeTimestamp(input, '/event_time');

    // Assess
    expect(utc).toBe(expected);
  });

  test.each([
    ['2023-02-29T00:00:00Z', /day 29 does not exist in 2023-02/],
    ['1900-02-29T00:00:00Z', /day 29 does not exist in 1900-02/],
    ['2024-04-31T00:00:00Z', /day 31 does not exist/],
    ['2024-13-01T00:00:00Z', /month 13 does not exist/],
    ['2024-09-18T24:00:00Z', /hour 24/],
    ['2024-09-18T12:60:00Z', /minute 60/],
    ['2024-09-18T23:59:60Z', /leap seconds/],
    ['2024-09-18T12:00:00+25:00', /offset \+25:00/],
    ['2024-09-18T12:00:00', /not an RFC 3339 date-time/],
    ['18/09/2024 12:00', /not an RFC 3339 date-time/],
    ['9999-12-31T23:00:00-05:00', /outside the years 0000-9999/],
    ['2023-02-29T00:00:00.000Z', /day 29 does not exist in 2023-02/],
    ['2024-09-00T00:00:00.000Z', /day 00 does not exist/],
    ['2024-00-10T00:00:00.000Z', /month 00 does not exist/],
    ['2024-09-18T23:59:60.000Z', /leap seconds/],
    ['2024-09-18T23:59:61.000Z', /second 61/],
    ['2024-09-18T14:15:00.1a3Z', /not an RFC 3339 date-time/],
    ['2024-09-18T14:15:00.123', /not an RFC 3339 date-time/],
  ])('refuses %s', (input, reason) => {
    expect(() => normalizeTimestamp(input, '/timestamp')).toThrow(NormalizationError);
    expect(() => normalizeTimestamp(input, '/timestamp')).toThrow(reason);
  });

  test('names the field in the error', () => {
    expect(() => normalizeTimestamp('2023-02-29T00:00:00Z', '/review_date')).toThrow(/^\/review_date: /);
  });
});

describe('money', () => {
  test('0.1 + 0.2 is exactly 0.30 when added in minor units', () => {
    // Prepare
    const a = toMinorUnits(0.1, 'USD', '/a');
    const b = toMinorUnits(0.2, 'USD', '/b');

    // Act
    const sum = formatMinorUnits(a + b, 'USD');

    // Assess
    expect(0.1 + 0.2).not.toBe(0.3); // the float trap this avoids
    expect(sum).toBe('0.30');
  });

  test('refuses the float result 0.30000000000000004 instead of rounding it', () => {
    expect(() => normalizeMoney(0.1 + 0.2, 'USD', '/payment/amount')).toThrow(
      /0\.30000000000000004 has more decimals than USD's 2 minor digit\(s\)/,
    );
  });

  test.each([
    [19.99, 'EUR', '19.99'],
    ['19.9', 'EUR', '19.90'],
    [0, 'EUR', '0.00'],
    ['1.10', 'USD', '1.10'],
    ['12.5000', 'USD', '12.50'],
    [1.005, 'USD', null],
    [1500, 'JPY', '1500'],
    ['1500.00', 'JPY', '1500'],
    ['1500.5', 'JPY', null],
    [45000, 'KRW', '45000'],
    [1.5, 'KWD', '1.500'],
    ['0.125', 'BHD', '0.125'],
    ['0.1255', 'BHD', null],
    ['1.2345', 'CLF', '1.2345'],
    [99999999.99, 'EUR', '99999999.99'],
    [1e-7, 'EUR', null],
    [100000000, 'EUR', '100000000.00'],
  ])('%p %s → %p', (value, currency, expected) => {
    if (expected === null) {
      expect(() => normalizeMoney(value, currency, '/x')).toThrow(/more decimals than/);
    } else {
      expect(normalizeMoney(value, currency, '/x')).toBe(expected);
    }
  });

  test('refuses an unknown currency with a reason', () => {
    expect(() => normalizeMoney('10.00', 'XYZ', '/lines/0/unit_price')).toThrow(
      /currency 'XYZ' is not supported; use one listed in lambdas\/shared\/currencies.ts/,
    );
  });

  test('knows the minor digits of the usual exceptions', () => {
    expect(CURRENCY_MINOR_DIGITS.JPY).toBe(0);
    expect(CURRENCY_MINOR_DIGITS.KRW).toBe(0);
    expect(CURRENCY_MINOR_DIGITS.BHD).toBe(3);
    expect(CURRENCY_MINOR_DIGITS.KWD).toBe(3);
    expect(CURRENCY_MINOR_DIGITS.EUR).toBe(2);
    expect(isSupportedCurrency('XXX')).toBe(false);
  });

  test.each([
    [10, '10.00'],
    ['10.5', '10.50'],
    ['10.125', '10.125'],
    ['10.1250', '10.125'],
    [0.3, '0.30'],
  ])('without a currency, %p is kept exactly as %p', (value, expected) => {
    expect(normalizeMoneyWithoutCurrency(value, '/payment/amount')).toBe(expected);
  });
});

describe('normalizeOrderEvent', () => {
  test('computes line net amounts and the order total exactly', () => {
    // Prepare: 2 x 59.90 - 5 = 114.80; 1 x 12.5 = 12.50; shipping 4.99 → 132.29
    const event = orderCreated({ shipping_amount: 4.99 });

    // Act
    const n = normalizeOrderEvent(event);

    // Assess
    expect(n.event_time).toBe('2024-09-18T12:20:00.000Z');
    expect(n.lines).toEqual([
      {
        line_number: 1,
        sku: 'SKU-00000987-BLK',
        product_id: 987,
        quantity: 2,
        unit_price: '59.90',
        discount: '5.00',
        net_amount: '114.80',
      },
      {
        line_number: 2,
        sku: 'SKU-00000123',
        product_id: 123,
        quantity: 1,
        unit_price: '12.50',
        discount: '0.00',
        net_amount: '12.50',
      },
    ]);
    expect(n.shipping_amount).toBe('4.99');
    expect(n.order_total).toBe('132.29');
    expect(n.item_count).toBe(3);
  });

  test('adds many small prices without drift', () => {
    // 200 lines of 5 x 0.10: summing the floats one by one drifts away from 100.
    const lines = Array.from({ length: 200 }, (_, i) => ({
      line_number: i + 1,
      sku: `SKU-${String(i).padStart(5, '0')}`,
      product_id: i + 1,
      quantity: 5,
      unit_price: 0.1,
    }));

    const n = normalizeOrderEvent(orderCreated({ currency: 'USD', lines }));

    expect(n.order_total).toBe('100.00');
  });

  test('uses the currency minor digits for JPY and KWD orders', () => {
    const jpy = normalizeOrderEvent(
      orderCreated({
        currency: 'JPY',
        lines: [{ line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 3, unit_price: 1980 }],
      }),
    );
    const kwd = normalizeOrderEvent(
      orderCreated({
        currency: 'KWD',
        lines: [
          {
            line_number: 1,
            sku: 'SKU-001',
            product_id: 1,
            quantity: 3,
            unit_price: '0.335',
            discount: '0.005',
          },
        ],
      }),
    );

    expect(jpy.order_total).toBe('5940');
    expect(jpy.lines?.[0].unit_price).toBe('1980');
    expect(kwd.order_total).toBe('1.000');
    expect(kwd.lines?.[0].discount).toBe('0.005');
  });

  test('refuses a discount larger than its line', () => {
    const event = orderCreated({
      lines: [
        {
          line_number: 1,
          sku: 'SKU-001',
          product_id: 1,
          quantity: 1,
          unit_price: '10.00',
          discount: '10.01',
        },
      ],
    });

    expect(() => normalizeOrderEvent(event)).toThrow(
      /^\/lines\/0\/discount: discount 10.01 exceeds the line's gross 10.00/,
    );
  });

  test('refuses a line number used twice', () => {
    const event = orderCreated({
      lines: [
        { line_number: 1, sku: 'SKU-001', product_id: 1, quantity: 1, unit_price: 1 },
        { line_number: 1, sku: 'SKU-002', product_id: 2, quantity: 1, unit_price: 1 },
      ],
    });

    expect(() => normalizeOrderEvent(event)).toThrow(/^\/lines\/1\/line_number: line_number 1 appears twice/);
  });

  test('refuses an unknown currency, naming the field', () => {
    expect(() => normalizeOrderEvent(orderCreated({ currency: 'ABC' }))).toThrow(
      /^\/currency: currency 'ABC' is not supported/,
    );
  });

  test('normalizes a payment without a currency exactly, and drops a null campaign', () => {
    const n = normalizeOrderEvent(
      orderEvent('order.paid', '2024-09-18T15:00:00+02:00', { payment: { method: 'card', amount: 124.3 } }),
    );
    const created = normalizeOrderEvent(orderCreated({ campaign_id: null }));

    expect(n.payment).toEqual({ method: 'card', amount: '124.30' });
    expect(n.event_time).toBe('2024-09-18T13:00:00.000Z');
    expect('campaign_id' in created).toBe(false);
  });

  test('does not modify its input', () => {
    const event = orderCreated();
    const copy = structuredClone(event);

    normalizeOrderEvent(event);

    expect(event).toEqual(copy);
  });
});

describe('normalizeEvent', () => {
  test('converts every timestamp of a document to UTC', () => {
    const click = normalizeEvent(
      'clickstream-event',
      interaction({ timestamp: '2024-09-18T16:15:00+02:00' }),
    );
    const rev = normalizeEvent('review-event', review({ review_date: '2024-09-15T08:00:00-04:00' }));
    const log = normalizeEvent('application-log-event', appLog({ timestamp: '2024-09-18T12:45:00.5+00:00' }));

    expect(click.contract === 'clickstream-event' && click.event.timestamp).toBe('2024-09-18T14:15:00.000Z');
    expect(rev.contract === 'review-event' && rev.event.review_date).toBe('2024-09-15T12:00:00.000Z');
    expect(log.contract === 'application-log-event' && log.event.timestamp).toBe('2024-09-18T12:45:00.500Z');
  });
});
