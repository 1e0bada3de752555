import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { spawnServer } from './harness';

/**
 * Seeds one data dir for the whole e2e run: the server is started on an empty temp dir exactly as
 * `startServer` starts it (demo data on), and stopped with SIGTERM once /readyz answers, so PGlite
 * has flushed and closed. Every `startServer` then copies this dir instead of running initdb,
 * migrations and the seed again (~3 s a file). LINLI_E2E_FRESH=1 skips it: every server seeds its own.
 */
export default async function setup(project: TestProject) {
  // Where each file records the routes it checked with axe (e2e/harness.ts `expectAccessible`).
  const records = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-axe-'));
  project.provide('e2eRecordDir', records);
  const removeRecords = () => fs.rmSync(records, { recursive: true, force: true });
  if (process.env.LINLI_E2E_FRESH === '1') {
    project.provide('e2eTemplateDir', '');
    return removeRecords;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-template-'));
  const remove = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    removeRecords();
  };
  try {
    const server = await spawnServer(dir);
    const code = await server.terminate();
    if (code !== 0) throw new Error(`template server exited with ${code}:\n${server.log()}`);
  } catch (err) {
    remove();
    throw err;
  }
  project.provide('e2eTemplateDir', dir);
  return remove;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eTemplateDir: string;
    e2eRecordDir: string;
  }
}
