import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) for backups of a PostgreSQL database:
 * found on PATH or under /usr/lib/postgresql/<major>/bin (Debian keeps every installed major
 * there), checked against the server's major version.
 */

export interface PgTool {
  name: string;
  path: string;
  major: number;
  /** As the program prints it, e.g. `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
  version: string;
}

/** A refusal the operator can act on (missing or too old client programs, a failed dump). */
export class PgToolError extends Error {
  override name = 'PgToolError';
}

function candidates(name: string): string[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      dirs.push(path.join(debian, v, 'bin'));
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch {
      continue;
    }
    // /bin and /usr/bin are one directory on merged-/usr systems.
    const real = fs.realpathSync(p);
    if (!seen.has(real)) {
      seen.add(real);
      out.push(p);
    }
  }
  return out;
}

function versionOf(name: string, file: string): PgTool | null {
  try {
    const version = execFileSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const m = /\)\s*(\d+)/.exec(version) ?? /(\d+)\.\d+/.exec(version);
    return m ? { name, path: file, major: Number(m[1]), version } : null;
  } catch {
    return null;
  }
}

/**
 * The program to use: at least `minMajor` (`why` says whose version that is), the server's own
 * major when there is one, else the newest. Throws PgToolError saying what is missing or too old.
 */
export function findPgTool(
  name: 'pg_dump' | 'pg_restore',
  minMajor: number,
  why: string,
  preferMajor = minMajor,
): PgTool {
  const found = candidates(name)
    .map((p) => versionOf(name, p))
    .filter((t): t is PgTool => t !== null);
  const install = `install the PostgreSQL ${preferMajor} client programs (Debian: apt-get install postgresql-client-${preferMajor})`;
  if (found.length === 0)
    throw new PgToolError(`${name} was not found on PATH or under /usr/lib/postgresql/*/bin: ${install}.`);
  const usable = found.filter((t) => t.major >= minMajor);
  if (usable.length === 0) {
    const list = found.map((t) => `${t.path} is ${t.major}`).join(', ');
    throw new PgToolError(
      `${name} must be at least version ${minMajor}, ${why}, but only older ones were found (${list}): ${install}.`,
    );
  }
  return usable.find((t) => t.major === preferMajor) ?? usable.sort((a, b) => b.major - a.major)[0]!;
}

/**
 * libpq connection settings from a DATABASE_URL, the password moved out of the URL into
 * PGPASSWORD so it never shows in the process list.
 */
export function libpqTarget(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return {
    dbname: u.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

/** Runs a client program to completion; throws PgToolError with its own error output on failure. */
export function runPgTool(tool: PgTool, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      if (err.length < 20_000) err += d;
    });
    child.on('error', (e) => reject(new PgToolError(`${tool.name} could not run: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new PgToolError(`${tool.name} failed (${signal ?? `exit ${code}`}): ${err.trim() || 'no message'}`),
        );
    });
  });
}
