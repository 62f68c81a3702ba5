/**
 * Terminal output shared by the generator CLI, the demo and the benchmarks: a progress display
 * (a cli-progress bar on a terminal, a plain line every few seconds otherwise, e.g. in CI logs) and
 * aligned text tables.
 */
import { SingleBar } from 'cli-progress';

/** A running progress display. */
export interface Progress {
  /** Sets the count done so far. */
  update(value: number): void;
  /** Ends the display (prints a last plain line when not interactive). */
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is counted, shown before the bar, e.g. `generate`. */
  readonly label: string;
  /** The expected total (an estimate is fine: the bar grows if the count passes it). */
  readonly total: number;
  /**
   * Unit of the count, e.g. `events`.
   * @default 'items'
   */
  readonly unit?: string;
  /**
   * Where to write.
   * @default process.stderr
   */
  readonly stream?: NodeJS.WriteStream;
  /**
   * Draw a live bar (true) or print plain lines (false).
   * @default - a bar when the stream is a TTY and the CI environment variable is not set
   */
  readonly interactive?: boolean;
  /**
   * Milliseconds between plain lines.
   * @default 5000
   */
  readonly plainIntervalMs?: number;
}

/** Formats a count with thousands separators. */
/** Reads a non-negative number option of a command line; throws naming the option and the bad value. */
export function numberOption(name: string, raw: string | undefined, fallback: number): number {
  const x = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(x) || x < 0) throw new Error(`--${name} must be a non-negative number, got '${raw}'`);
  return x;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Starts a progress display. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'items';
  const interactive = options.interactive ?? (Boolean(stream.isTTY) && !process.env.CI);
  const started = Date.now();
  let total = Math.max(1, Math.round(options.total));
  if (interactive) {
    const bar = new SingleBar({
      format: `${options.label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {duration_formatted}`,
      barsize: 30,
      hideCursor: true,
      stream,
      fps: 5,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? formatCount(v) : String(v)),
    });
    bar.start(total, 0, { rate: '0' });
    return {
      update(value) {
        if (value > total) {
          total = Math.ceil(value * 1.05);
          bar.setTotal(total);
        }
        const seconds = (Date.now() - started) / 1000;
        bar.update(value, { rate: formatCount(seconds > 0 ? value / seconds : 0) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const interval = options.plainIntervalMs ?? 5000;
  let lastPrint = started;
  let current = 0;
  const line = (final: boolean) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? current / seconds : 0;
    const pct = final ? 100 : Math.min(99, Math.floor((100 * current) / total));
    stream.write(
      `${options.label}: ${formatCount(current)} ${unit}${final ? '' : ` of ~${formatCount(total)} (${pct}%)`}, ${formatCount(rate)} ${unit}/s, ${seconds.toFixed(1)} s\n`,
    );
  };
  return {
    update(value) {
      current = value;
      if (value > total) total = Math.ceil(value * 1.05);
      const now = Date.now();
      if (now - lastPrint >= interval) {
        lastPrint = now;
        line(false);
      }
    },
    stop() {
      line(true);
    },
  };
}

/** Column alignment of {@link formatTable}. */
export type Align = 'left' | 'right';

/**
 * An aligned text table: a header row, a rule, then the rows. Numbers are right-aligned unless
 * told otherwise; strings left-aligned.
 *
 * @param headers - column titles.
 * @param rows - cells (numbers are formatted with thousands separators).
 * @param align - per-column alignment overrides.
 * @param indent - spaces before every line.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  align: readonly (Align | undefined)[] = [],
  indent = 2,
): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCount(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const isNumeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === ''),
  );
  const pad = (text: string, i: number) =>
    (align[i] ?? (isNumeric[i] ? 'right' : 'left')) === 'right'
      ? text.padStart(widths[i])
      : text.padEnd(widths[i]);
  const prefix = ' '.repeat(indent);
  const lines = [
    prefix + headers.map((h, i) => pad(h, i)).join('  '),
    prefix + widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((r) => prefix + headers.map((_, i) => pad(r[i] ?? '', i)).join('  ')),
  ];
  return lines.map((l) => l.trimEnd()).join('\n');
}
