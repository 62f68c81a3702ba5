/**
 * Lambda entry point of the inventory transformer (Kinesis `inventory` stream, partial batch
 * responses). The logic lives in ./transformer.ts and the modules it composes.
 */
import { lazyLambdaHandler } from '../shared/lambda-runtime';
import { createInventoryTransformer } from './transformer';

/** The Lambda handler. */
export const handler = lazyLambdaHandler('inventory', createInventoryTransformer);
