// `npm test`: the server and package tests and the browser tests, run side by side.
//
// The two suites use the machine differently: the server tests keep both cores busy, while a
// browser test spends most of its time waiting (pages loading, settling before a screenshot, a
// one-time code's cool-down). Run one after the other, the waits add up; side by side, the server
// tests fill them (decision 40 in docs/decisions.md has the measurements). The server tests print
// as they run; the browser tests' output is kept and printed in one piece when they end, so the two
// never interleave. Exits non-zero if either suite fails. `npm run test:unit` / `test:e2e` run one.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';

const root = path.resolve(import.meta.dirname, '..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

// Built before either suite starts, so a build does not compete with the tests for the cores.
ensureBuilt();

function run(name, args, { quiet }) {
  const started = Date.now();
  const logFile = quiet
    ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-')), `${name}.log`)
    : null;
  const out = logFile ? fs.openSync(logFile, 'w') : 'inherit';
  const child = spawn(process.execPath, [vitest, 'run', ...args], {
    cwd: root,
    stdio: ['ignore', out, out],
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') },
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      if (logFile) {
        fs.closeSync(out);
        process.stdout.write(`\n===== ${name} (printed when it ended) =====\n`);
        process.stdout.write(fs.readFileSync(logFile));
        fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
      }
      resolve({ name, ok: code === 0, code: code ?? signal, seconds });
    });
  });
}

const results = await Promise.all([
  run('server and package tests', ['--project', 'server', '--project', 'packages'], { quiet: false }),
  run('browser tests', ['--project', 'e2e'], { quiet: true }),
]);
process.stdout.write('\n');
for (const r of results)
  process.stdout.write(
    `${r.ok ? 'passed' : 'FAILED'}: ${r.name} in ${r.seconds} s${r.ok ? '' : ` (exit ${r.code})`}\n`,
  );
process.exit(results.every((r) => r.ok) ? 0 : 1);
