import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { prepareDatabase } from './core/boot';

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
  let prepared: Awaited<ReturnType<typeof prepareDatabase>>;
  try {
    prepared = await prepareDatabase(config, {}, (message) => console.log(`  ${message}`));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Linli cannot start: invalid configuration — ${err.message}`);
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
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  const where =
    database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  app.log.info({ database: where }, 'Linli is ready');
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const lines = [
    '',
    `  邻里+ Linli is running on http://${shown}:${config.port}`,
    `    resident app  http://${shown}:${config.port}/`,
    `    console       http://${shown}:${config.port}/console/`,
    `    API docs      http://${shown}:${config.port}/api/docs`,
    `    database      ${where}`,
  ];
  if (demo.length) {
    lines.push('', '  Demo accounts created (password for staff: LINLI_DEMO_PASSWORD, default Linli@2026):');
    for (const d of demo) lines.push(`    ${d.login.padEnd(18)} ${d.role.padEnd(22)} ${d.where}`);
    lines.push('    residents sign in with a one-time code; in development it is written to this log.');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  console.error('Linli failed to start:', err);
  process.exit(1);
});
