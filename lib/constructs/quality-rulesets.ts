import { Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import {
  DERIVED_DATASETS,
  DerivedDataset,
  EVENT_DATASETS,
  EventDataset,
  SOURCE_DATASETS,
  SourceDataset,
} from '../lake/lake-datasets';
import {
  DatasetQualityRules,
  datasetQualityRules,
  derivedQualityRules,
  dqdlRuleset,
} from '../lake/quality-rules';

/** Properties of {@link QualityRulesets}. */
export interface QualityRulesetsProps {
  /** Prefix of the ruleset names, `<prefix>-<dataset>-gates` (for example `ecom-dev`). */
  readonly prefix: string;

  /** The curated Glue database the rulesets target (for example `ecom_dev_curated`). */
  readonly databaseName: string;

  /** The curated table of every dataset, by dataset name (LakeCatalog's curatedTables names). */
  readonly tableNames: Readonly<Record<string, string>>;

  /**
   * The datasets that get a ruleset.
   *
   * @default EVENT_DATASETS (every curated dataset of contracts/datasets.json)
   */
  readonly datasets?: readonly EventDataset[];

  /**
   * The source datasets (OLTP, documents, third-party files) that get a ruleset.
   *
   * @default SOURCE_DATASETS (contracts/datasets.json)
   */
  readonly sourceDatasets?: readonly SourceDataset[];

  /**
   * The derived datasets (order lines, order status changes) that get a ruleset, from their
   * declaration; the events job gates their rows with the same rules.
   *
   * @default DERIVED_DATASETS (contracts/datasets.json)
   */
  readonly derivedDatasets?: readonly DerivedDataset[];
}

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/**
 * One Glue Data Quality ruleset per curated dataset (`<prefix>-<dataset>-gates`), targeting the
 * dataset's curated table, with the DQDL rules of lib/lake/quality-rules.ts: the same key
 * completeness, event_id uniqueness and range rules the curation job gates every partition with, so
 * that an evaluation run in Glue Data Quality (or a recommendation run compared with it) checks the
 * published table against the contract. The rulesets only define the rules; runs are started from
 * the console, the API or a workflow, and need no resource here.
 *
 * Bounds of fields nested in arrays and structs (order lines) cannot be written as DQDL column
 * rules; the job checks them (see the ruleset descriptions).
 *
 * @example
 * new QualityRulesets(this, 'QualityRulesets', {
 *   prefix: 'ecom-dev',
 *   databaseName: catalog.curatedDatabaseName,
 *   tableNames: { order_events: 'order_events', ... },
 * });
 */
export class QualityRulesets extends Construct {
  /** The rulesets, by dataset name. */
  public readonly rulesets: Readonly<Record<string, glue.CfnDataQualityRuleset>>;

  constructor(scope: Construct, id: string, props: QualityRulesetsProps) {
    super(scope, id);
    const where = `QualityRulesets ${this.node.path}`;
    const datasets: readonly (EventDataset | SourceDataset | DerivedDataset)[] = [
      ...(props.datasets ?? EVENT_DATASETS),
      ...(props.sourceDatasets ?? SOURCE_DATASETS),
      ...(props.derivedDatasets ?? DERIVED_DATASETS),
    ];
    if (datasets.length === 0) throw new Error(`${where}: datasets is empty`);
    if (!Token.isUnresolved(props.databaseName) && !NAME.test(props.databaseName)) {
      throw new Error(`${where}: databaseName '${props.databaseName}' must match ${NAME.source}`);
    }

    const rulesets: Record<string, glue.CfnDataQualityRuleset> = {};
    for (const dataset of datasets) {
      const tableName = props.tableNames[dataset.name];
      if (tableName === undefined) {
        throw new Error(
          `${where}: no curated table for dataset '${dataset.name}' in tableNames; known: ${Object.keys(props.tableNames).join(', ')}`,
        );
      }
      const name = `${props.prefix}-${dataset.name}-gates`;
      if (!Token.isUnresolved(props.prefix) && !NAME.test(name)) {
        throw new Error(`${where}: ruleset name '${name}' must match ${NAME.source}`);
      }
      const derived = isDerived(dataset);
      const { rules, jobOnlyChecks, contract }: DatasetQualityRules = derived
        ? derivedQualityRules(dataset)
        : datasetQualityRules(dataset);
      const jobOnly =
        jobOnlyChecks.length === 0 ? '' : ` Checked by the job only: ${jobOnlyChecks.join(', ')}.`;
      const what = derived
        ? `derived from ${dataset.from}, contract ${contract}; a failure quarantines the ${dataset.from} partition`
        : `contract ${contract}`;
      rulesets[dataset.name] = new glue.CfnDataQualityRuleset(this, toId(dataset.name), {
        name,
        description: truncate(
          `Quality gates of ${dataset.name} (${what}), as ${JOB_OF[sourceOf(dataset)]} checks them.${jobOnly}`,
          2048,
        ),
        ruleset: dqdlRuleset(rules),
        targetTable: { databaseName: props.databaseName, tableName },
      });
    }
    this.rulesets = rulesets;
  }
}

const JOB_OF = {
  events: 'raw_events_to_curated',
  oltp: 'oltp_to_curated',
  documents: 'dynamodb_documents_to_curated',
  files: 'third_party_files_to_curated',
} as const;

function sourceOf(dataset: EventDataset | SourceDataset | DerivedDataset): keyof typeof JOB_OF {
  return 'source' in dataset ? dataset.source : 'events';
}

function isDerived(dataset: EventDataset | SourceDataset | DerivedDataset): dataset is DerivedDataset {
  return 'from' in dataset;
}

/** `order_events` -> `OrderEvents`. */
function toId(name: string): string {
  return name
    .split(/[_-]/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
