/**
 * AWS SDK clients of the deployed Lambdas, created once per container on first use (never at import)
 * and reused by every invocation. The local twin and the tests pass their own clients instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/** Marshalling options every transformer relies on (the twin's emulator client uses the same). */
export const DOCUMENT_MARSHALL_OPTIONS = {
  removeUndefinedValues: true,
  convertClassInstanceToMap: false,
} as const;

let documents: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;

/** The container's DynamoDB document client (region and credentials from the Lambda environment). */
export function sharedDocumentClient(): DynamoDBDocumentClient {
  documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: DOCUMENT_MARSHALL_OPTIONS,
  });
  return documents;
}

/** The container's S3 client. */
export function sharedS3Client(): S3Client {
  s3 ??= new S3Client({});
  return s3;
}
