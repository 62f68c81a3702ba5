/**
 * The twin's stand-in for DynamoDB's export to S3 (ExportTableToPointInTime, full export, DynamoDB
 * JSON), which dynalite does not have: it scans a table (paginated, consistent reads) and writes the
 * files AWS writes, in AWS's layout, into the twin's raw folder, so the Glue job
 * `dynamodb_documents_to_curated` reads the same objects in the twin as on S3:
 *
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/_started                   empty, written first
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/data/<name>.json.gz         one {"Item": {...}} per line
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/manifest-files.json         one JSON line per data file
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/manifest-files.checksum
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/manifest-summary.json       written last: the export is complete
 *   <rawRoot>/dynamodb/<table-id>/AWSDynamoDB/<export-id>/manifest-summary.checksum
 *
 * Keys in the manifests are full object keys from the bucket root (the twin's raw folder), as AWS
 * writes them with the request's S3Prefix (`dynamodb/<table-id>`). The export id is AWS's shape,
 * `<epoch ms, 14 digits>-<8 hex>`, so ids sort by time. Differences from AWS, on purpose: a table
 * export is one scan, not a point-in-time view (the twin's tables are quiet while it runs); data files
 * hold up to `itemsPerFile` items in scan order, not one file per partition; an empty table still gets
 * one empty data file, as an empty partition does on AWS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AttributeValue,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DOCUMENT_TABLE_IDS, DocumentTableId, TableId, tableName } from '../lib/tables/table-definitions';
import { runGlueJob } from './glue-job';

export { DOCUMENT_TABLE_IDS };
export type { DocumentTableId };

/** The raw-zone prefix of DynamoDB exports: `dynamodb/<table-id>/AWSDynamoDB/<export-id>/`. */
export const DYNAMODB_EXPORTS_PREFIX = 'dynamodb';

/** The S3Prefix an export of a table is requested with. */
export function exportPrefix(tableId: TableId): string {
  return `${DYNAMODB_EXPORTS_PREFIX}/${tableId}`;
}

/** A DynamoDB JSON attribute value as an export writes it (binary as base64 text). */
export type ExportAttributeValue =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly B: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly BS: readonly string[] }
  | { readonly M: Readonly<Record<string, ExportAttributeValue>> }
  | { readonly L: readonly ExportAttributeValue[] };

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** An SDK attribute value in DynamoDB JSON as the export writes it. Throws naming `where` for an unknown type. */
export function toExportJson(value: AttributeValue, where = '(item)'): ExportAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: true };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) {
    const m: Record<string, ExportAttributeValue> = {};
    for (const [k, v] of Object.entries(value.M)) m[k] = toExportJson(v, `${where}.${k}`);
    return { M: m };
  }
  if (value.L !== undefined) return { L: value.L.map((v, i) => toExportJson(v, `${where}[${i}]`)) };
  throw new Error(
    `${where}: attribute value ${JSON.stringify(value)} has no DynamoDB type this exporter knows (S, N, B, BOOL, NULL, SS, NS, BS, M, L)`,
  );
}

/** An export id in AWS's shape: the export time in epoch milliseconds (14 digits), a dash, 8 hex digits. */
export function exportIdOf(time: Date, suffix: string = randomBytes(4).toString('hex')): string {
  return `${String(time.getTime()).padStart(14, '0')}-${suffix}`;
}

/** One data file of an export, as listed in manifest-files.json. */
export interface ExportDataFile {
  /** Object key from the bucket root (the twin's raw folder). */
  readonly dataFileS3Key: string;
  readonly itemCount: number;
  /** Base64 MD5 of the object's bytes (the .json.gz file). */
  readonly md5Checksum: string;
  /** Hex MD5 of the object's bytes, as S3 reports the ETag of a single-part upload. */
  readonly etag: string;
}

/** What {@link exportTable} wrote. */
export interface TableExport {
  readonly tableId: TableId;
  readonly tableName: string;
  readonly exportId: string;
  readonly exportArn: string;
  /** RFC 3339 UTC, as in the summary. */
  readonly exportTime: string;
  readonly itemCount: number;
  /** Key of the export's folder: `dynamodb/<table-id>/AWSDynamoDB/<export-id>`. */
  readonly exportKey: string;
  /** Key of manifest-summary.json. */
  readonly manifestSummaryKey: string;
  /** Local path of manifest-summary.json. */
  readonly manifestSummaryPath: string;
  readonly dataFiles: readonly ExportDataFile[];
}

/** Options of {@link exportTable}. */
export interface ExportTableOptions {
  /** Physical table name (for example `ecom-dev-sessions`). */
  readonly tableName: string;
  /** Logical id: the `dynamodb/<table-id>/` prefix. */
  readonly tableId: TableId;
  /** The twin's raw folder, standing in for the raw bucket's root. */
  readonly rawRoot: string;
  /**
   * The export's point in time.
   * @default - now
   */
  readonly exportTime?: Date;
  /**
   * The most items per data file.
   * @default 1000
   */
  readonly itemsPerFile?: number;
}

const md5 = (data: Uint8Array | string) => createHash('md5').update(data);

/** A data file name in AWS's style (26 lower-case base32 characters), derived from the export and index. */
function dataFileName(exportId: string, index: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const digest = createHash('sha256').update(`${exportId}/${index}`).digest();
  let name = '';
  for (let i = 0; i < 26; i++) name += alphabet[digest[i] % 32];
  return `${name}.json.gz`;
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Exports one table into the twin's raw folder, in the layout and format of a DynamoDB full export to
 * S3 (DYNAMODB_JSON), and returns what it wrote. The summary is written last, so a reader that finds
 * `manifest-summary.json` finds a complete export.
 */
export async function exportTable(client: DynamoDBClient, options: ExportTableOptions): Promise<TableExport> {
  const started = options.exportTime ?? new Date();
  const perFile = options.itemsPerFile ?? 1000;
  if (!Number.isInteger(perFile) || perFile < 1) {
    throw new Error(
      `exportTable ${options.tableName}: itemsPerFile must be a positive integer, got ${perFile}`,
    );
  }
  let table;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: options.tableName }))).Table;
  } catch (err) {
    throw new Error(
      `exportTable: cannot describe table ${options.tableName} (${(err as Error).message}); create the twin's tables first (createTables)`,
      { cause: err },
    );
  }
  const tableArn = table?.TableArn ?? `arn:aws:dynamodb:us-east-1:000000000000:table/${options.tableName}`;
  const exportId = exportIdOf(started);
  const exportArn = `${tableArn}/export/${exportId}`;
  const exportKey = `${exportPrefix(options.tableId)}/AWSDynamoDB/${exportId}`;
  const dir = join(options.rawRoot, exportKey);
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, '_started'), '');

  const items = await scanAll(client, options.tableName);
  const dataFiles: ExportDataFile[] = [];
  for (let i = 0; i === 0 || i * perFile < items.length; i++) {
    const chunk = items.slice(i * perFile, (i + 1) * perFile);
    const lines = chunk.map((item, n) => {
      const converted: Record<string, ExportAttributeValue> = {};
      for (const [k, v] of Object.entries(item))
        converted[k] = toExportJson(v, `item ${i * perFile + n}.${k}`);
      return `${JSON.stringify({ Item: converted })}\n`;
    });
    const body = gzipSync(Buffer.from(lines.join(''), 'utf8'));
    const key = `${exportKey}/data/${dataFileName(exportId, i)}`;
    await writeFile(join(options.rawRoot, key), body);
    dataFiles.push({
      dataFileS3Key: key,
      itemCount: chunk.length,
      md5Checksum: md5(body).digest('base64'),
      etag: md5(body).digest('hex'),
    });
  }

  const filesText = dataFiles
    .map((f) =>
      JSON.stringify({
        itemCount: f.itemCount,
        md5Checksum: f.md5Checksum,
        etag: f.etag,
        dataFileS3Key: f.dataFileS3Key,
      }),
    )
    .map((l) => `${l}\n`)
    .join('');
  await writeFile(join(dir, 'manifest-files.json'), filesText);
  await writeFile(join(dir, 'manifest-files.checksum'), md5(filesText).digest('hex'));
  const itemCount = dataFiles.reduce((n, f) => n + f.itemCount, 0);
  const summary = {
    version: '2020-06-30',
    exportArn,
    startTime: started.toISOString(),
    endTime: new Date().toISOString(),
    tableArn,
    tableId: table?.TableId ?? null,
    exportTime: started.toISOString(),
    s3Bucket: 'twin-raw',
    s3Prefix: exportPrefix(options.tableId),
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${exportKey}/manifest-files.json`,
    billedSizeBytes: 0,
    itemCount,
    outputFormat: 'DYNAMODB_JSON',
    exportType: 'FULL_EXPORT',
  };
  const summaryText = JSON.stringify(summary);
  await writeFile(join(dir, 'manifest-summary.checksum'), md5(summaryText).digest('hex'));
  const manifestSummaryPath = join(dir, 'manifest-summary.json');
  await writeFile(manifestSummaryPath, summaryText); // last: the export is complete
  return {
    tableId: options.tableId,
    tableName: options.tableName,
    exportId,
    exportArn,
    exportTime: summary.exportTime,
    itemCount,
    exportKey,
    manifestSummaryKey: `${exportKey}/manifest-summary.json`,
    manifestSummaryPath,
    dataFiles,
  };
}

/**
 * Exports the five document tables of a twin (physical names `<prefix>-<table-id>`) into its raw folder,
 * one after another, with one export time.
 */
export async function exportDocumentTables(
  client: DynamoDBClient,
  prefix: string,
  rawRoot: string,
  options: { readonly exportTime?: Date; readonly itemsPerFile?: number } = {},
): Promise<Record<DocumentTableId, TableExport>> {
  const exportTime = options.exportTime ?? new Date();
  const out = {} as Record<DocumentTableId, TableExport>;
  for (const id of DOCUMENT_TABLE_IDS) {
    out[id] = await exportTable(client, {
      tableName: tableName(prefix, id),
      tableId: id,
      rawRoot,
      exportTime,
      itemsPerFile: options.itemsPerFile,
    });
  }
  return out;
}

// --------------------------------------------------------------------------------------------------
// Running the Glue job over the exports
// --------------------------------------------------------------------------------------------------

const DOCUMENTS_JOB_NAME = 'dynamodb_documents_to_curated';

/** One dataset's entry of the job's run report. */
export interface DocumentDatasetReport {
  readonly table_id: string;
  /** `curated`, `already curated` or `no export`. */
  readonly status: string;
  readonly export_id: string | null;
  readonly export_date?: string;
  /** Items in the export's manifest. */
  readonly read: number;
  readonly lines_read?: number;
  readonly written: number;
  readonly quarantined: Readonly<Record<string, number>>;
  /** `curated/<dataset>/export_date=<d>/export_id=<id>` of the snapshot written. */
  readonly snapshot?: string;
  readonly reconciled: boolean;
}

/** The run report of the job (`_state/dynamodb_documents_to_curated/runs/<run_id>.json`). */
export interface DocumentCurationReport {
  readonly run_id: string;
  readonly reconciled: boolean;
  readonly datasets: Readonly<Record<string, DocumentDatasetReport>>;
  readonly totals: { readonly read: number; readonly written: number; readonly quarantined: number };
}

/** Options of {@link runDocumentCuration}. */
export interface DocumentCurationOptions {
  /** The twin's raw folder (holds `dynamodb/`). */
  readonly rawRoot: string;
  /** The folder standing in for the curated bucket. */
  readonly curatedRoot: string;
  readonly runId: string;
  /**
   * Table ids to curate.
   * @default - all five
   */
  readonly tables?: readonly DocumentTableId[];
  /** @default - the project's .venv Python */
  readonly python?: string;
}

/**
 * Runs the Glue job `dynamodb_documents_to_curated` (`--export-mode existing`) on local PySpark over the
 * exports in the raw folder and returns its run report; throws with the job's last output on failure.
 */
export async function runDocumentCuration(options: DocumentCurationOptions): Promise<DocumentCurationReport> {
  return runGlueJob<DocumentCurationReport>({
    job: DOCUMENTS_JOB_NAME,
    rawRoot: options.rawRoot,
    curatedRoot: options.curatedRoot,
    runId: options.runId,
    python: options.python,
    args: options.tables ? ['--tables', options.tables.join(',')] : [],
  });
}
