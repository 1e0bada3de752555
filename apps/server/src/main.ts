import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { prepareDatabase, StartRefused } from './boot';
import { ModuleGraphError } from './core/module-registry';
import { acquireDataDirLock, DataDirBusyError } from './core/data-dir-lock';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Linli cannot start: invalid configuration — ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  // The embedded database is one process's: refuse to open it under another server or a backup.
  let lock: ReturnType<typeof acquireDataDirLock> | null = null;
  try {
    lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir, 'server');
  } catch (err) {
    if (err instanceof DataDirBusyError) {
      console.error(
        `Linli cannot start: ${err.message}. Stop it first, or give this server its own DATA_DIR.`,
      );
      process.exit(75);
    }
    throw err;
  }
  let prepared: Awaited<ReturnType<typeof prepareDatabase>>;
  try {
    prepared = await prepareDatabase(config, {}, (message) => console.log(`  ${message}`));
  } catch (err) {
    if (err instanceof StartRefused) {
      lock?.release();
      console.error(`Linli will not start: ${err.message}`);
      process.exit(78);
    }
    if (err instanceof ConfigError) {
      lock?.release();
      console.error(`Linli cannot start: invalid configuration — ${err.message}`);
      process.exit(78);
    }
    if (err instanceof ModuleGraphError) {
      lock?.release();
      console.error(
        `Linli cannot start: the module list in apps/server/src/modules/index.ts is wrong — ${err.message}`,
      );
      process.exit(78);
    }
    throw err;
  }
  const { database, demo, secretKey } = prepared;
  const app = await buildApp({ config, database, secretKey });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // Stop accepting, let in-flight requests finish, then close the database.
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out after 20 s');
      process.exit(1);
    }, 20_000);
    timer.unref();
    await app.close();
    await database.close();
    lock?.release();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  const where =
    database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  app.log.info({ database: where }, 'Linli is ready');
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const devNote = config.dev
    ? [
        '',
        `  Development conveniences are ON (LINLI_DEV=on, or not set and listening on loopback: ${config.host}):`,
        '    demo data, the log SMS sender (codes in this log), /api/v1/dev/otp and /api/v1/dev/sms.',
        '    A server reachable from other machines never serves them unless LINLI_DEV=on.',
      ]
    : [];
  const lines = [
    '',
    `  邻里+ Linli is running on http://${shown}:${config.port}`,
    `    resident app  http://${shown}:${config.port}/`,
    `    console       http://${shown}:${config.port}/console/`,
    `    API docs      http://${shown}:${config.port}/api/docs`,
    `    database      ${where}`,
    ...devNote,
  ];
  if (demo.length) {
    lines.push('', '  Demo accounts created (password for staff: LINLI_DEMO_PASSWORD, default Linli@2026):');
    for (const d of demo) lines.push(`    ${d.login.padEnd(18)} ${d.role.padEnd(22)} ${d.where}`);
    lines.push('    residents sign in with a one-time code; with the log sender it is written to this log.');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  console.error('Linli failed to start:', err);
  process.exit(1);
});
