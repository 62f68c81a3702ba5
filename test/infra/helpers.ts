/**
 * Shared helpers of the infrastructure tests: an App with the context of cdk.json (the feature flags
 * `cdk synth` runs with), template normalisation for snapshots, and cdk-nag findings as strings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A handler file with no imports, for construct tests. */
export const FIXTURE_ENTRY = path.join(__dirname, 'fixtures', 'echo', 'handler.ts');

/** The `context` of cdk.json: the feature flags the CLI passes to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Options of {@link testApp}. */
export interface TestAppOptions {
  /** Run esbuild for the functions (slow); otherwise bundling is skipped. @default false */
  readonly bundle?: boolean;
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation at synth, as `cdk synth` does. Its engine
   * takes about 2 s to start in every test file, so construct tests leave it off; the app tests
   * (platform-app.test.ts) turn it on. @default false
   */
  readonly validate?: boolean;
  /** More context. @default - none */
  readonly context?: Record<string, unknown>;
}

/** An App with cdk.json's context; bundling and built-in validation are off unless asked for. */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}

/** A stack in a fresh test App. */
export function testStack(options: TestAppOptions = {}): Stack {
  return new Stack(testApp(options), 'TestStack');
}

const ASSET_ZIP = /^[0-9a-f]{64}\.zip$/;

/**
 * The template of a stack with the asset hashes of bundled code replaced by a placeholder. A
 * Lambda's S3Key is the hash of its bundle, which changes with every edit of the handler code (and
 * with the esbuild version); the snapshot guards the infrastructure, not the handler code.
 */
export function normalizedTemplate(stack: Stack): unknown {
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return ASSET_ZIP.test(value) ? 'ASSET_HASH.zip' : value;
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    }
    return value;
  };
  return replace(Template.fromStack(stack).toJSON());
}

/**
 * The cdk-nag AwsSolutions findings under a scope that no acknowledgement covers, as
 * `<rule> at <construct path>` strings (warnings and errors alike). Synthesize first, so that what
 * synthesis adds is checked too.
 */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? '?'}`),
  );
}

/** The logical id of a construct's CloudFormation resource (its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement | undefined;
  if (!element) throw new Error(`${construct.node.path} has no default child`);
  return Stack.of(construct).resolve(element.logicalId) as string;
}
