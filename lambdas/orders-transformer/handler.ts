/**
 * Lambda entry point of the orders transformer (Kinesis `orders` stream, partial batch responses).
 * The logic lives in ./transformer.ts and the modules it composes; this file only wires the
 * environment, clients and destinations.
 */
import { lazyLambdaHandler } from '../shared/lambda-runtime';
import { createOrdersTransformer } from './transformer';

/** The Lambda handler. */
export const handler = lazyLambdaHandler('orders', createOrdersTransformer);
