/**
 * Wiring of a deployed transformer: settings from the Lambda environment, the container's SDK
 * clients, the S3 dead-letter sink, and Powertools Logger and Metrics. Built on the first invocation
 * (never at import), then reused by every invocation of the container.
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { StreamId } from '../../lib/streams/stream-definitions';
import { sharedDocumentClient, sharedS3Client } from './clients';
import { S3DeadLetterSink } from './dead-letter';
import type { KinesisTransformer } from './kinesis-transformer';
import { TRANSFORMER_TABLES, readTransformerSettings } from './runtime-settings';
import type { TransformerDeps } from './transformer-deps';

/** The Lambda handler of a transformer. */
export type TransformerHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;

/** The dependencies of a deployed transformer, read from `env`. */
export function lambdaTransformerDeps(stream: StreamId, env: NodeJS.ProcessEnv): TransformerDeps {
  const settings = readTransformerSettings(env, TRANSFORMER_TABLES[stream]);
  const serviceName = `${stream}-transformer`;
  return {
    settings,
    documents: sharedDocumentClient(),
    deadLetter: new S3DeadLetterSink({ client: sharedS3Client(), bucket: settings.deadLetterBucket }),
    logger: new Logger({ serviceName }),
    metrics: new Metrics({
      serviceName,
      ...(settings.metricsNamespace ? { namespace: settings.metricsNamespace } : {}),
    }),
  };
}

/**
 * A Lambda handler that builds its transformer from the environment on the first invocation. A
 * configuration error fails that invocation with a message naming the variable, and the next
 * invocation tries again.
 */
export function lazyLambdaHandler(
  stream: StreamId,
  factory: (deps: TransformerDeps) => KinesisTransformer,
): TransformerHandler {
  let transformer: KinesisTransformer | undefined;
  return async (event, context) => {
    transformer ??= factory(lambdaTransformerDeps(stream, process.env));
    return transformer(event, context);
  };
}
