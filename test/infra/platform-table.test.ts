import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformKey, PlatformTable } from '../../lib/constructs';
import { TABLES, TABLE_IDS, TableDefinition } from '../../lib/tables/table-definitions';
import { nagFindings, testStack } from './helpers';

function tableTemplate(
  definition: TableDefinition,
  extra: Partial<ConstructorParameters<typeof PlatformTable>[2]> = {},
) {
  const stack = testStack();
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' });
  new PlatformTable(stack, 'Table', { definition, encryptionKey: key.key, ...extra });
  return { stack, template: Template.fromStack(stack) };
}

const keyType = (t: 'S' | 'N') => t;

describe('PlatformTable with defaults', () => {
  const { stack, template } = tableTemplate(TABLES.orders, { tableName: 'ecom-test-orders' });

  test('takes its name and keys from the definition', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'ecom-test-orders',
      KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
    });
  });

  test('builds the global secondary indexes of the definition, with their projections', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-customer',
          KeySchema: [
            { AttributeName: 'customer_id', KeyType: 'HASH' },
            { AttributeName: 'created_at', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['status', 'order_total', 'currency', 'updated_at'],
          },
        },
        Match.objectLike({ IndexName: 'by-status' }),
      ],
    });
  });

  test('is on-demand, KMS-encrypted with the key, with point-in-time recovery and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
      },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  test('has no TTL when the definition has none', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: Match.absent() });
  });

  test('is retained', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('has no cdk-nag findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PlatformTable with custom settings', () => {
  const capacity = { minReadUnits: 2, maxReadUnits: 20, minWriteUnits: 3, maxWriteUnits: 30 };
  const { template } = tableTemplate(TABLES.stock, {
    provisionedCapacity: capacity,
    deletionProtection: false,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  test('is provisioned at the minimum, for the table and its index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(), // PROVISIONED is CloudFormation's default
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'by-warehouse-headroom',
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
        }),
      ],
    });
  });

  test('autoscales reads and writes of the table and the index between the bounds', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 4);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:WriteCapacityUnits',
      MinCapacity: 3,
      MaxCapacity: 30,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70 }),
    });
  });

  test('has no deletion protection and is destroyed', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
  });
});

describe.each(TABLE_IDS)('PlatformTable built from TABLES[%s]', (id) => {
  const def = TABLES[id];
  const { template } = tableTemplate(def);

  test('has the keys, indexes and TTL of the definition', () => {
    const keySchema = [{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }];
    if (def.sortKey) keySchema.push({ AttributeName: def.sortKey.name, KeyType: 'RANGE' });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: keySchema,
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: def.partitionKey.name, AttributeType: keyType(def.partitionKey.type) },
      ]),
      GlobalSecondaryIndexes:
        def.globalIndexes.length === 0
          ? Match.absent()
          : def.globalIndexes.map((i) => Match.objectLike({ IndexName: i.indexName })),
      TimeToLiveSpecification: def.ttlAttribute
        ? { AttributeName: def.ttlAttribute, Enabled: true }
        : Match.absent(),
    });
  });
});

describe('PlatformTable validation', () => {
  const make =
    (definition: TableDefinition, extra: Partial<ConstructorParameters<typeof PlatformTable>[2]> = {}) =>
    () =>
      tableTemplate(definition, extra);

  test('rejects a bad table name', () => {
    expect(make(TABLES.orders, { tableName: 'orders table' })).toThrow(/tableName 'orders table' must match/);
  });

  test('rejects an index defined twice', () => {
    const def = {
      ...TABLES.orders,
      globalIndexes: [TABLES.orders.globalIndexes[0], TABLES.orders.globalIndexes[0]],
    };
    expect(make(def)).toThrow(/table 'orders' defines index 'by-customer' twice/);
  });

  test('rejects an empty projection list', () => {
    const def = { ...TABLES.orders, globalIndexes: [{ ...TABLES.orders.globalIndexes[0], projection: [] }] };
    expect(make(def)).toThrow(/index 'by-customer' of table 'orders' projects an empty attribute list/);
  });

  test('rejects a TTL attribute that is a key', () => {
    expect(make({ ...TABLES.orders, ttlAttribute: 'order_id' })).toThrow(
      /ttlAttribute 'order_id' of table 'orders' is a key/,
    );
  });

  test('rejects capacity bounds out of order', () => {
    expect(
      make(TABLES.orders, {
        provisionedCapacity: { minReadUnits: 5, maxReadUnits: 1, minWriteUnits: 1, maxWriteUnits: 1 },
      }),
    ).toThrow(/maximum below its minimum \(read 5\.\.1/);
  });

  test('rejects a capacity that is not a positive integer', () => {
    expect(
      make(TABLES.orders, {
        provisionedCapacity: { minReadUnits: 0, maxReadUnits: 1, minWriteUnits: 1, maxWriteUnits: 1 },
      }),
    ).toThrow(/provisionedCapacity\.minReadUnits is 0/);
  });
});
