/**
 * Lambda entry point of the clickstream transformer (Kinesis `clickstream` stream, partial batch
 * responses). The logic lives in ./transformer.ts and the modules it composes.
 */
import { lazyLambdaHandler } from '../shared/lambda-runtime';
import { createClickstreamTransformer } from './transformer';

/** The Lambda handler. */
export const handler = lazyLambdaHandler('clickstream', createClickstreamTransformer);
