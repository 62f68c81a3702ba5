import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IndexDefinition, KeyAttribute, TableDefinition } from '../tables/table-definitions';

/** Autoscaling bounds of a provisioned table (its indexes get the same). */
export interface PlatformTableCapacity {
  /** Read capacity units the table never scales below. */
  readonly minReadUnits: number;
  /** Read capacity units the table never scales above. */
  readonly maxReadUnits: number;
  /** Write capacity units the table never scales below. */
  readonly minWriteUnits: number;
  /** Write capacity units the table never scales above. */
  readonly maxWriteUnits: number;
}

/** Properties of a {@link PlatformTable}. */
export interface PlatformTableProps {
  /** The table's definition from TABLES: keys, global secondary indexes and TTL attribute. */
  readonly definition: TableDefinition;

  /** The customer-managed key that encrypts the table. */
  readonly encryptionKey: kms.IKey;

  /**
   * Physical table name.
   *
   * @default - a name CloudFormation generates
   */
  readonly tableName?: string;

  /**
   * Provisioned capacity, autoscaled between the bounds at 70% utilisation; the table and its
   * indexes get the same bounds.
   *
   * @default - on-demand (PAY_PER_REQUEST) capacity
   */
  readonly provisionedCapacity?: PlatformTableCapacity;

  /**
   * Refuse DeleteTable calls until protection is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Target utilisation of provisioned capacity autoscaling. */
const TARGET_UTILISATION_PERCENT = 70;

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

function globalIndex(
  index: IndexDefinition,
  capacity?: PlatformTableCapacity,
): dynamodb.GlobalSecondaryIndexProps {
  const projection = index.projection;
  const common = {
    indexName: index.indexName,
    partitionKey: attribute(index.partitionKey),
    sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
    readCapacity: capacity?.minReadUnits,
    writeCapacity: capacity?.minWriteUnits,
  };
  if (projection === 'ALL') return { ...common, projectionType: dynamodb.ProjectionType.ALL };
  if (projection === 'KEYS_ONLY') return { ...common, projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  return { ...common, projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...projection] };
}

/**
 * A DynamoDB table built from its definition in lib/tables/table-definitions.ts, so that keys,
 * indexes and TTL are never typed twice: customer-managed KMS encryption, point-in-time recovery,
 * deletion protection and retention by default, on-demand capacity unless told otherwise.
 *
 * It is the `Table` construct (AWS::DynamoDB::Table), not `TableV2`: TableV2 cannot render a
 * customer-managed key in an environment-agnostic stack, and the platform's stacks are
 * environment-agnostic so that synth needs no account.
 *
 * @example
 * const orders = new PlatformTable(this, 'Orders', {
 *   definition: TABLES.orders,
 *   encryptionKey: key,
 *   tableName: tableName('ecom-dev', 'orders'),
 * });
 */
export class PlatformTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PlatformTableProps) {
    super(scope, id);
    const def = props.definition;
    if (props.tableName !== undefined && !Token.isUnresolved(props.tableName)) {
      if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(props.tableName)) {
        throw new Error(
          `PlatformTable ${this.node.path}: tableName '${props.tableName}' must match ^[a-zA-Z0-9_.-]{3,255}$`,
        );
      }
    }
    const indexNames = new Set<string>();
    for (const index of def.globalIndexes) {
      if (indexNames.has(index.indexName)) {
        throw new Error(
          `PlatformTable ${this.node.path}: table '${def.id}' defines index '${index.indexName}' twice`,
        );
      }
      indexNames.add(index.indexName);
      if (Array.isArray(index.projection) && index.projection.length === 0) {
        throw new Error(
          `PlatformTable ${this.node.path}: index '${index.indexName}' of table '${def.id}' projects an empty attribute list; use 'KEYS_ONLY'`,
        );
      }
    }
    const keyNames = [def.partitionKey.name, def.sortKey?.name].filter((n) => n !== undefined);
    if (def.ttlAttribute !== undefined && keyNames.includes(def.ttlAttribute)) {
      throw new Error(
        `PlatformTable ${this.node.path}: ttlAttribute '${def.ttlAttribute}' of table '${def.id}' is a key attribute`,
      );
    }
    const capacity = props.provisionedCapacity;
    if (capacity) {
      for (const [name, value] of Object.entries(capacity) as [string, number][]) {
        if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
          throw new Error(
            `PlatformTable ${this.node.path}: provisionedCapacity.${name} is ${value}, expected a positive integer`,
          );
        }
      }
      if (capacity.maxReadUnits < capacity.minReadUnits || capacity.maxWriteUnits < capacity.minWriteUnits) {
        throw new Error(
          `PlatformTable ${this.node.path}: provisionedCapacity has a maximum below its minimum (read ${capacity.minReadUnits}..${capacity.maxReadUnits}, write ${capacity.minWriteUnits}..${capacity.maxWriteUnits})`,
        );
      }
    }

    const table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
      timeToLiveAttribute: def.ttlAttribute,
      billingMode: capacity ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      readCapacity: capacity?.minReadUnits,
      writeCapacity: capacity?.minWriteUnits,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      tableClass: dynamodb.TableClass.STANDARD,
    });
    for (const index of def.globalIndexes) table.addGlobalSecondaryIndex(globalIndex(index, capacity));

    if (capacity) {
      const read = { minCapacity: capacity.minReadUnits, maxCapacity: capacity.maxReadUnits };
      const write = { minCapacity: capacity.minWriteUnits, maxCapacity: capacity.maxWriteUnits };
      const utilisation = { targetUtilizationPercent: TARGET_UTILISATION_PERCENT };
      table.autoScaleReadCapacity(read).scaleOnUtilization(utilisation);
      table.autoScaleWriteCapacity(write).scaleOnUtilization(utilisation);
      for (const index of def.globalIndexes) {
        table
          .autoScaleGlobalSecondaryIndexReadCapacity(index.indexName, read)
          .scaleOnUtilization(utilisation);
        table
          .autoScaleGlobalSecondaryIndexWriteCapacity(index.indexName, write)
          .scaleOnUtilization(utilisation);
      }
    }
    this.table = table;
  }
}
