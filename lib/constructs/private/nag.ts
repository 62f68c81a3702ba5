/**
 * Helpers to acknowledge cdk-nag findings whose id contains a resolved CloudFormation reference,
 * such as `AwsSolutions-IAM5[Resource::<RawBucket0C3EE094.Arn>/dead-letter/*]`. The id is computed
 * from the same token the policy uses, so it follows a renamed construct instead of going stale.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names it in a finding: `Fn::Join` is
 * joined, `Fn::GetAtt` becomes `<LogicalId.Attr>`, `Ref` becomes `<LogicalId>`.
 */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [delimiter, items] = v['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (v['Fn::Sub'] !== undefined) return flattenReference(v['Fn::Sub']);
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [resource, attribute] = v['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (v['Fn::ImportValue'] !== undefined) return flattenReference(v['Fn::ImportValue']);
    if (v.Ref !== undefined) return `<${flattenReference(v.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * The cdk-nag finding name of an IAM resource string (a token in the stack of `scope`), for
 * `AwsSolutions-IAM5[Resource::...]` acknowledgements. Call it only for tokens of the same stack.
 */
export function resourceFinding(scope: IConstruct, resource: string): string {
  return `Resource::${flattenReference(Stack.of(scope).resolve(resource))}`;
}
