/**
 * Builders of the semi-structured parts of events: product metadata (specifications, images, tags),
 * review content and application log messages. Pure functions of their inputs and a random stream.
 */
import type { ApplicationLogEvent, ProductMetadataEvent } from '../contracts/generated/types';
import { Rng } from './random';
import {
  CategorySpec,
  REVIEW_TEXT_BAD,
  REVIEW_TEXT_GOOD,
  REVIEW_TITLES_BAD,
  REVIEW_TITLES_GOOD,
} from './vocabulary';

/** The metadata document of a product in a category. */
export function productMetadata(
  productId: number,
  category: CategorySpec,
  rng: Rng,
): ProductMetadataEvent['metadata'] {
  const specifications: Record<string, string | number | boolean> = {};
  for (const [key, values] of Object.entries(category.specs)) {
    if (rng.chance(0.85)) specifications[key] = rng.pick(values);
  }
  const imageCount = rng.int(1, 4);
  const images = [];
  for (let i = 1; i <= imageCount; i++) {
    images.push({
      url: `https://img.example.com/products/${productId}/${i}.jpg`,
      alt_text: `${category.name} product ${productId}, image ${i}`,
    });
  }
  const tags = category.tags.filter(() => rng.chance(0.5));
  return { specifications, images, ...(tags.length > 0 ? { tags } : {}) };
}

/** A review rating: mostly 4 to 5 stars, with a tail of unhappy customers (multiples of 0.5). */
export function reviewRating(rng: Rng): number {
  const ratings = [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1];
  const weights = [40, 12, 20, 5, 8, 2, 5, 1, 7];
  return ratings[rng.weightedIndex(weights, 100)];
}

/** A title and text matching a rating. */
export function reviewContent(rating: number, rng: Rng): { title: string; review_text: string } {
  const good = rating >= 3.5;
  return {
    title: rng.pick(good ? REVIEW_TITLES_GOOD : REVIEW_TITLES_BAD),
    review_text: rng.pick(good ? REVIEW_TEXT_GOOD : REVIEW_TEXT_BAD),
  };
}

type LogFields = Omit<
  ApplicationLogEvent,
  'event_id' | 'event_type' | 'event_time' | 'schema_version' | 'log_id' | 'timestamp'
>;

/** A background log entry: mostly INFO, some WARN and ERROR, a little DEBUG, from the shop's services. */
export function backgroundLog(rng: Rng, productId: number, customerId: number): LogFields {
  const roll = rng.float();
  const requestId = `req-${rng.hex(16)}`;
  if (roll < 0.035) {
    const e = rng.pick([
      { service: 'catalog', message: 'Failed to load product details', error_code: '500' },
      { service: 'search', message: 'Search backend timed out after 3000 ms', error_code: '504' },
      { service: 'payments', message: 'Payment gateway returned an unexpected response', error_code: '502' },
      { service: 'cart', message: 'Cart service could not reach session store', error_code: '503' },
    ]);
    return { log_level: 'ERROR', ...e, product_id: productId, request_id: requestId };
  }
  if (roll < 0.115) {
    const w = rng.pick([
      { service: 'catalog', message: `Slow query on product_catalog (${rng.int(800, 4000)} ms)` },
      { service: 'auth', message: 'Login attempt rate high for one IP range' },
      { service: 'search', message: 'Search returned no results' },
      { service: 'cart', message: 'Price changed between cart and checkout' },
    ]);
    return { log_level: 'WARN', ...w, customer_id: customerId, request_id: requestId };
  }
  if (roll < 0.13) {
    return {
      log_level: 'DEBUG',
      service: 'search',
      message: `Query plan cache hit ratio ${rng.int(80, 99)}%`,
    };
  }
  const i = rng.pick([
    { service: 'auth', message: `User ${customerId} logged in` },
    { service: 'catalog', message: `Product ${productId} cache refreshed` },
    { service: 'search', message: `Search served in ${rng.int(12, 180)} ms` },
    { service: 'cart', message: `Cart updated for customer ${customerId}` },
    { service: 'recommendations', message: `Recommendations computed for customer ${customerId}` },
  ]);
  return { log_level: 'INFO', ...i, request_id: requestId };
}
