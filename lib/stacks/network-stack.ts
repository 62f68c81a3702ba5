import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { PrivateNetwork } from '../constructs';

/** Properties of the {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The environment's configuration (the `network` section). */
  readonly config: EnvironmentConfig;
  /** The platform key (flow logs). */
  readonly key: kms.IKey;
}

/**
 * The network stack: the VPC of the platform's private workloads (the Glue JDBC connection to the
 * shop's OLTP database now, the warehouse later), with isolated subnets, endpoints and flow logs.
 * Its own stack because it changes rarely and everything private depends on it.
 */
export class NetworkStack extends Stack {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.vpc = new PrivateNetwork(this, 'Network', {
      cidr: config.network.cidr,
      maxAzs: config.network.maxAzs,
      encryptionKey: props.key,
      flowLogRetention: config.retention.logDays as logs.RetentionDays,
      logRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    }).vpc;
  }
}
