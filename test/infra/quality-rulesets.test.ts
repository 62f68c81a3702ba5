import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadEnvironmentConfig } from '../../lib/config/environments';
import { QualityRulesets, QualityRulesetsProps } from '../../lib/constructs';
import {
  DERIVED_DATASETS,
  EVENT_DATASETS,
  EventDataset,
  SOURCE_DATASETS,
} from '../../lib/lake/lake-datasets';
import {
  contractQualityRules,
  datasetQualityRules,
  derivedQualityRules,
  dqdlRuleset,
} from '../../lib/lake/quality-rules';
import { buildPlatformApp } from '../../lib/platform-app';
import { nagFindings, testApp, testStack } from './helpers';

function dataset(name: string): EventDataset {
  const found = EVENT_DATASETS.find((d) => d.name === name);
  if (found === undefined) throw new Error(`no dataset ${name}`);
  return found;
}

const ALL_DATASETS = [...EVENT_DATASETS, ...SOURCE_DATASETS, ...DERIVED_DATASETS];

function derived(name: string) {
  const found = DERIVED_DATASETS.find((d) => d.name === name);
  if (found === undefined) throw new Error(`no derived dataset ${name}`);
  return found;
}
const TABLE_NAMES = Object.fromEntries(ALL_DATASETS.map((d) => [d.name, d.name]));

function rulesetsIn(stack: Stack, props: Partial<QualityRulesetsProps> = {}): QualityRulesets {
  return new QualityRulesets(stack, 'QualityRulesets', {
    prefix: 'ecom-test',
    databaseName: 'ecom_test_curated',
    tableNames: TABLE_NAMES,
    ...props,
  });
}

describe('quality rules from the flat contract schemas', () => {
  test('order_events: required columns complete, event_id unique, optional top-level ranges unless null', () => {
    expect(datasetQualityRules(dataset('order_events')).rules).toEqual([
      'IsComplete "event_id"',
      'IsComplete "event_type"',
      'IsComplete "event_time"',
      'IsComplete "schema_version"',
      'IsComplete "order_id"',
      'IsUnique "event_id"',
      'ColumnValues "customer_id" >= 1 where "customer_id is not null"',
      'ColumnValues "shipping_amount" >= 0 where "shipping_amount is not null"',
      'ColumnValues "shipping_amount" <= 100000000 where "shipping_amount is not null"',
    ]);
  });

  test('order_events: the bounds of order lines, payment and returned lines are left to the job', () => {
    expect(datasetQualityRules(dataset('order_events')).jobOnlyChecks).toEqual([
      'lines[].line_number [1, ]',
      'lines[].product_id [1, ]',
      'lines[].quantity [1, 10000]',
      'lines[].unit_price [0, 100000000]',
      'lines[].discount [0, 100000000]',
      'payment.amount [0, 100000000]',
      'returned_lines[].line_number [1, ]',
      'returned_lines[].quantity [1, ]',
    ]);
  });

  test('review_events: ratings 1 to 5, ids from 1, every required column complete', () => {
    const rules = datasetQualityRules(dataset('review_events'));
    expect(rules.rules).toEqual([
      'IsComplete "event_id"',
      'IsComplete "event_type"',
      'IsComplete "event_time"',
      'IsComplete "schema_version"',
      'IsComplete "review_id"',
      'IsComplete "product_id"',
      'IsComplete "customer_id"',
      'IsComplete "rating"',
      'IsComplete "review_date"',
      'IsUnique "event_id"',
      'ColumnValues "review_id" >= 1',
      'ColumnValues "product_id" >= 1',
      'ColumnValues "customer_id" >= 1',
      'ColumnValues "rating" >= 1',
      'ColumnValues "rating" <= 5',
    ]);
    expect(rules.jobOnlyChecks).toEqual([]);
  });

  test('no dataset has a RowCount rule (empty partitions are legal) or a schema_version range', () => {
    for (const d of EVENT_DATASETS) {
      const { rules } = datasetQualityRules(d);
      expect(rules.filter((r) => r.startsWith('RowCount') || r.includes('"schema_version" >'))).toEqual([]);
      expect(rules).toContain('IsUnique "event_id"');
    }
  });

  test('order_lines (derived): its key complete and a primary key, quantity and prices non-negative', () => {
    expect(derivedQualityRules(derived('order_lines'))).toEqual({
      dataset: 'order_lines',
      contract: 'order-event',
      rules: [
        'IsComplete "event_id"',
        'IsComplete "event_type"',
        'IsComplete "event_time"',
        'IsComplete "order_id"',
        'IsComplete "line_number"',
        'IsComplete "quantity"',
        'IsPrimaryKey "event_id" "line_number"',
        'ColumnValues "quantity" >= 0',
        'ColumnValues "unit_price" >= 0 where "unit_price is not null"',
        'ColumnValues "discount" >= 0 where "discount is not null"',
      ],
      jobOnlyChecks: [],
    });
  });

  test('order_status_changes (derived): event_id unique, amounts and counts non-negative unless null', () => {
    expect(derivedQualityRules(derived('order_status_changes')).rules).toEqual([
      'IsComplete "event_id"',
      'IsComplete "event_type"',
      'IsComplete "event_time"',
      'IsComplete "order_id"',
      'IsUnique "event_id"',
      'ColumnValues "shipping_amount" >= 0 where "shipping_amount is not null"',
      'ColumnValues "line_count" >= 0 where "line_count is not null"',
      'ColumnValues "payment_amount" >= 0 where "payment_amount is not null"',
      'ColumnValues "returned_units" >= 0 where "returned_units is not null"',
    ]);
  });

  test('a ruleset is a DQDL Rules list, one rule a line', () => {
    expect(dqdlRuleset(['IsComplete "a"', 'IsUnique "a"'])).toBe(
      'Rules = [\n  IsComplete "a",\n  IsUnique "a"\n]',
    );
    expect(() => dqdlRuleset([])).toThrow(/at least one rule/);
  });

  test('rejects a schema without event_id, and a column DQDL cannot quote, naming them', () => {
    expect(() =>
      contractQualityRules({ type: 'object', properties: { id: { type: 'string' } } }, 'x'),
    ).toThrow(/contract 'x': no 'event_id'/);
    expect(() =>
      contractQualityRules(
        { type: 'object', properties: { event_id: { type: 'string' }, 'a"b': { type: 'string' } } },
        'y',
      ),
    ).toThrow(/column name 'a"b'/);
  });
});

describe('QualityRulesets', () => {
  const stack = testStack();
  const construct = rulesetsIn(stack);
  const template = Template.fromStack(stack);

  test('creates one ruleset per curated dataset, events, sources and derived', () => {
    template.resourceCountIs('AWS::Glue::DataQualityRuleset', ALL_DATASETS.length);
    expect(Object.keys(construct.rulesets).sort()).toEqual(ALL_DATASETS.map((d) => d.name).sort());
  });

  test('a source dataset is unique by its own key: the OLTP key and valid_from, a document id within its export, a feed key', () => {
    const rules = (name: string) => datasetQualityRules(SOURCE_DATASETS.find((d) => d.name === name)!).rules;
    expect(rules('customers')).toContain('IsPrimaryKey "customer_id" "valid_from"');
    expect(rules('product_review_documents')).toEqual(
      expect.arrayContaining([
        'IsPrimaryKey "review_id" "export_id"',
        'ColumnValues "rating" >= 1',
        'ColumnValues "rating" <= 5',
      ]),
    );
    expect(rules('payment_settlements')).toContain('IsUnique "settlement_id"');
    expect(rules('campaign_spend')).toContain('IsPrimaryKey "spend_date" "campaign_id" "channel" "source"');
    // customer interactions carry no id of their own: completeness and ranges only
    expect(rules('customer_interaction_documents').some((r) => /IsUnique|IsPrimaryKey/.test(r))).toBe(false);
    expect(
      template.findResources('AWS::Glue::DataQualityRuleset', {
        Properties: { Name: 'ecom-test-customers-gates' },
      }),
    ).not.toEqual({});
  });

  test.each(EVENT_DATASETS.map((d) => d.name))(
    '%s: named <prefix>-<dataset>-gates, on its curated table',
    (name) => {
      template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
        Name: `ecom-test-${name}-gates`,
        TargetTable: { DatabaseName: 'ecom_test_curated', TableName: name },
        Ruleset: dqdlRuleset(datasetQualityRules(dataset(name)).rules),
      });
    },
  );

  test.each(DERIVED_DATASETS.map((d) => d.name))(
    '%s (derived): on its curated table, with the rules of its declaration',
    (name) => {
      template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
        Name: `ecom-test-${name}-gates`,
        TargetTable: { DatabaseName: 'ecom_test_curated', TableName: name },
        Ruleset: dqdlRuleset(derivedQualityRules(derived(name)).rules),
        Description: Match.stringLikeRegexp('derived from order_events'),
      });
    },
  );

  test('says in the description which nested checks only the job makes', () => {
    template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
      Name: 'ecom-test-order_events-gates',
      Description: Match.stringLikeRegexp('Checked by the job only: .*lines\\[\\]\\.quantity \\[1, 10000\\]'),
    });
  });

  test('rejects a dataset without a table, a bad database name and a bad prefix, naming them', () => {
    expect(() => rulesetsIn(testStack(), { tableNames: { order_events: 'order_events' } })).toThrow(
      /no curated table for dataset 'product_metadata_events'/,
    );
    expect(() => rulesetsIn(testStack(), { databaseName: 'bad db' })).toThrow(/databaseName 'bad db'/);
    expect(() => rulesetsIn(testStack(), { prefix: 'ecom test' })).toThrow(
      /ruleset name 'ecom test-order_events-gates'/,
    );
    expect(() => rulesetsIn(testStack(), { datasets: [], sourceDatasets: [], derivedDatasets: [] })).toThrow(
      /datasets is empty/,
    );
  });
});

describe.each(['dev', 'staging', 'prod'] as const)('the %s processing stack', (name) => {
  const config = loadEnvironmentConfig(name);
  const app = testApp();
  const { processing, storage } = buildPlatformApp(app, config);
  app.synth();
  const template = Template.fromStack(processing);

  test('has a ruleset per curated table of the storage stack catalog', () => {
    const catalog = storage.catalog;
    template.resourceCountIs('AWS::Glue::DataQualityRuleset', Object.keys(catalog.curatedTables).length);
    for (const datasetName of Object.keys(catalog.curatedTables)) {
      template.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
        Name: `${config.prefix}-${datasetName}-gates`,
        TargetTable: { DatabaseName: catalog.curatedDatabaseName, TableName: datasetName },
      });
    }
  });

  test('synthesizes with zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(processing)).toEqual([]);
  });
});
