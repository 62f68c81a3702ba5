import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Properties of a {@link PrivateNetwork}. */
export interface PrivateNetworkProps {
  /** CIDR block of the VPC. */
  readonly cidr: string;

  /** Availability zones of its subnets (2 or 3). */
  readonly maxAzs: number;

  /** Key of the flow-log group. */
  readonly encryptionKey: kms.IKey;

  /** Days the flow logs are kept. */
  readonly flowLogRetention: logs.RetentionDays;

  /**
   * What happens to the flow-log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The VPC of the platform's private workloads: isolated subnets only (no internet gateway, no NAT),
 * so nothing in it is reachable from or can reach the internet. AWS services are reached through
 * endpoints: gateway endpoints for S3 and DynamoDB (free) and interface endpoints for the services a
 * Glue job in the VPC calls (Glue, Secrets Manager, KMS, CloudWatch Logs and metrics) and the one
 * the warehouse's streaming ingestion needs under enhanced VPC routing (Kinesis Data Streams). Every
 * flow is logged to a KMS-encrypted log group.
 *
 * Why isolated subnets and endpoints rather than NAT: the jobs need no internet, a NAT gateway costs
 * about as much as three interface endpoints per AZ, and an endpoint keeps the traffic on the AWS
 * network. The shop's OLTP database is reached through the peering or transit gateway its network
 * team provides; add its route with the VPC's `isolatedSubnets` route tables.
 *
 * @example
 * const network = new PrivateNetwork(this, 'Network', { cidr: '10.40.0.0/16', maxAzs: 2, encryptionKey, flowLogRetention });
 */
export class PrivateNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  /** The flow-log group. */
  public readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxAzs) || props.maxAzs < 2 || props.maxAzs > 3) {
      throw new Error(`PrivateNetwork ${this.node.path}: maxAzs is ${props.maxAzs}, expected 2 or 3`);
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      maxAzs: props.maxAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Glue: ec2.InterfaceVpcEndpointAwsService.GLUE,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      // Redshift streaming ingestion from Kinesis: with enhanced VPC routing the workgroup reaches
      // services other than same-region S3 through the VPC's routes only, and isolated subnets have
      // none; the interface endpoint is the route.
      KinesisStreams: ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
    };
    for (const [name, service] of Object.entries(services)) {
      // open (HTTPS from the VPC's CIDR only) is the default: the endpoint's security group allows 443 from the VPC.
      const endpoint = this.vpc.addInterfaceEndpoint(name, { service, privateDnsEnabled: true });
      Validations.of(endpoint).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          "The endpoint's security group allows HTTPS (443) from the VPC's own CIDR block only; cdk-nag cannot evaluate the block because it is a reference (Fn::GetAtt of the VPC), not 0.0.0.0/0.",
      });
    }
  }
}
