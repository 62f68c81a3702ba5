/**
 * The clickstream transformer: interactions → `customer-interactions` and `sessions`, reviews →
 * `product-reviews`, application logs → `application-logs`.
 */
import { ApplyEvent, KinesisTransformer, createKinesisTransformer } from '../shared/kinesis-transformer';
import { ApplyDeps, TransformerDeps, assertStream, requireTable } from '../shared/transformer-deps';
import { applyApplicationLog } from './apply-application-log';
import { applyInteraction } from './apply-interaction';
import { applyReview } from './apply-review';

/** The apply function of the clickstream stream. */
export function clickstreamApplier(deps: ApplyDeps): ApplyEvent {
  for (const id of ['customer-interactions', 'sessions', 'product-reviews', 'application-logs'] as const) {
    requireTable(deps.settings, id);
  }
  return async (normalized) => {
    switch (normalized.contract) {
      case 'clickstream-event':
        return applyInteraction(deps, normalized.event);
      case 'review-event':
        return applyReview(deps, normalized.event);
      case 'application-log-event':
        return applyApplicationLog(deps, normalized.event);
      default:
        throw new Error(`the clickstream transformer cannot apply ${normalized.contract} events`);
    }
  };
}

/** Builds the clickstream transformer (the deployed handler and the local twin use the same factory). */
export function createClickstreamTransformer(deps: TransformerDeps): KinesisTransformer {
  assertStream(deps.settings, 'clickstream', 'the clickstream transformer');
  return createKinesisTransformer({ ...deps, applyEvent: clickstreamApplier(deps) });
}
