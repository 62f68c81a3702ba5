import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * The on-failure destination of a stream event source mapping: an SQS queue, granted narrowly.
 *
 * It replaces `SqsDlq` from aws-lambda-event-sources, whose `grantSendMessages` also grants
 * `kms:ReEncrypt*` and `kms:GenerateDataKey*` on the queue's key. Sending a message to a queue
 * encrypted with a customer-managed key needs only `kms:GenerateDataKey` and `kms:Decrypt`, and
 * only through SQS; Lambda sends the failure records with the function's execution role.
 *
 * @example
 * fn.addEventSource(new KinesisEventSource(stream, {
 *   startingPosition: lambda.StartingPosition.TRIM_HORIZON,
 *   onFailure: new QueueFailureDestination(deadLetterQueue),
 * }));
 */
export class QueueFailureDestination implements lambda.IEventSourceDlq {
  /** @param queue the queue that receives the metadata of the records that failed. */
  constructor(private readonly queue: sqs.IQueue) {}

  /** Grants the function's role what sending to the queue needs and returns its ARN. */
  public bind(
    _target: lambda.IEventSourceMapping,
    targetHandler: lambda.IFunction,
  ): lambda.DlqDestinationConfig {
    const statements = [
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        resources: [this.queue.queueArn],
      }),
    ];
    if (this.queue.encryptionMasterKey) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.queue.encryptionMasterKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this.queue).region}.amazonaws.com` },
          },
        }),
      );
    }
    for (const statement of statements) targetHandler.addToRolePolicy(statement);
    return { destination: this.queue.queueArn };
  }
}
