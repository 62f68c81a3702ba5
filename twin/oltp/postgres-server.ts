/**
 * A throwaway PostgreSQL cluster for the twin's OLTP source: `initdb` into a temporary folder, then
 * `pg_ctl start` listening on 127.0.0.1 on a free port, with password (SCRAM) authentication for one
 * user who owns one database. `stop()` stops the server and deletes the folder. Starts in about a
 * second; nothing is left behind.
 *
 * The server binaries come from PATH, else from /usr/lib/postgresql/<version>/bin (Debian's layout,
 * newest version first); `make setup` installs them (scripts/ensure-postgres.sh). PostgreSQL refuses
 * to run as root, so when this process is root the server commands run as the `postgres` OS user
 * (`runuser -u postgres --`), which owns the temporary folder.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
  /**
   * Login user (a superuser of the throwaway cluster).
   * @default 'shop'
   */
  readonly user?: string;
  /**
   * Database created for the user.
   * @default 'shop'
   */
  readonly database?: string;
  /**
   * Password of the user.
   * @default - random
   */
  readonly password?: string;
  /**
   * TCP port on 127.0.0.1.
   * @default - a free port
   */
  readonly port?: number;
  /**
   * Folder under which the temporary cluster folder is made.
   * @default os.tmpdir()
   */
  readonly baseDir?: string;
  /**
   * More server settings, each `name=value` (passed as `-c name=value`), for example
   * `shared_buffers=4GB` for the warehouse benchmark's row-store comparison.
   * @default - none
   */
  readonly settings?: readonly string[];
  /**
   * Folder holding initdb, pg_ctl and postgres.
   * @default - found on PATH or under /usr/lib/postgresql/<version>/bin
   */
  readonly binDir?: string;
}

/** A running throwaway PostgreSQL. */
export interface PostgresServer {
  /** `postgresql://user:password@127.0.0.1:port/database` (for `pg`). */
  readonly url: string;
  /** `jdbc:postgresql://127.0.0.1:port/database` (for Spark; user and password go separately). */
  readonly jdbcUrl: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The cluster's data folder (its server log is `<dataDir>/../server.log`). */
  readonly dataDir: string;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

const POSTGRES_OS_USER = 'postgres';
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The folder of the PostgreSQL server binaries: PATH first, then /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const initdb = join(dir, 'initdb');
    if (dir && isExecutable(initdb)) {
      // /usr/local/bin/initdb may be a symlink into the versioned folder that holds pg_ctl too.
      const real = dirname(realpathSync(initdb));
      if (isExecutable(join(real, 'pg_ctl'))) return real;
      if (isExecutable(join(dir, 'pg_ctl'))) return dir;
    }
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => isExecutable(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/<version>/bin. ' +
      "Run 'make setup' (it runs scripts/ensure-postgres.sh, which installs Debian's postgresql package), " +
      'or install PostgreSQL 15+ and put its bin folder on PATH.',
  );
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function osUserIds(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `This process runs as root and PostgreSQL refuses to; the server would run as the OS user '${name}', ` +
        `which does not exist. Install the postgresql package (it creates the user), or run as a non-root user.`,
    );
  }
}

/** Starts a throwaway PostgreSQL cluster; see the module comment. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const user = options.user ?? 'shop';
  const database = options.database ?? 'shop';
  for (const [what, value] of [
    ['user', user],
    ['database', database],
  ] as const) {
    if (!NAME.test(value)) {
      throw new Error(`startPostgres: ${what} '${value}' must match ${NAME} (a plain lower-case SQL name)`);
    }
  }
  const password = options.password ?? randomBytes(18).toString('base64url');
  const binDir = options.binDir ?? findPostgresBinDir();
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const owner = asRoot ? await osUserIds(POSTGRES_OS_USER) : undefined;
  /** Runs a server binary, as the postgres OS user when this process is root. */
  const pg = async (binary: string, args: string[]) => {
    const file = join(binDir, binary);
    const [cmd, argv] = asRoot ? ['runuser', ['-u', POSTGRES_OS_USER, '--', file, ...args]] : [file, args];
    try {
      return await run(cmd, argv, { env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`, {
        cause: err,
      });
    }
  };

  const root = await mkdtemp(join(options.baseDir ?? tmpdir(), 'oltp-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const pwFile = join(root, 'pwfile');
  let started = false;
  const cleanUp = async () => {
    if (started) {
      started = false;
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(root, owner.uid, owner.gid);
      await chown(pwFile, owner.uid, owner.gid);
    }
    await pg('initdb', [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await rm(pwFile, { force: true });
    let port = options.port ?? (await freePort());
    for (let attempt = 1; ; attempt++) {
      const settings = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=${root}`,
        // a throwaway cluster: durability is not needed, speed is
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=50',
        ...(options.settings ?? []).map((kv) => `-c ${kv}`),
      ].join(' ');
      try {
        await pg('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', settings, '-w', '-t', '30', 'start']);
        started = true;
        break;
      } catch (err) {
        // the free port may have been taken in between: retry on another one
        if (options.port !== undefined || attempt >= 3) {
          const log = await readFile(logFile, 'utf8').catch(() => '');
          throw new Error(`${(err as Error).message}\nServer log (${logFile}):\n${log.slice(-2000)}`, {
            cause: err,
          });
        }
        port = await freePort();
      }
    }
    const host = '127.0.0.1';
    const admin = new Client({ host, port, user, password, database: 'postgres' });
    await admin.connect();
    try {
      if (database !== 'postgres') await admin.query(`create database ${database} owner ${user}`);
    } finally {
      await admin.end();
    }
    const enc = encodeURIComponent;
    return {
      url: `postgresql://${enc(user)}:${enc(password)}@${host}:${port}/${database}`,
      jdbcUrl: `jdbc:postgresql://${host}:${port}/${database}`,
      host,
      port,
      user,
      password,
      database,
      dataDir,
      stop: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
