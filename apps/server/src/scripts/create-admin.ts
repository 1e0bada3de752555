/**
 * `npm run admin:create -- --username zhangsan --name 张三 [--phone 13800001234] [--force]`:
 * the first district administrator of a real deployment, with a temporary password printed once
 * (changed at first sign-in). Migrates and loads the reference data first, like a start.
 * Exit 0 when created, 1 when refused (the reason is printed), 2 when it could not run.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { prepareDatabase } from '../boot';
import { AppError } from '../core/errors';
import { createDistrictAdmin } from '../modules/identity/bootstrap';

async function main() {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  if (!values.username || !values.name) {
    console.error(
      'usage: npm run admin:create -- --username <login> --name <姓名> [--phone <手机号>] [--force]',
    );
    return 2;
  }
  // Never seeds demo data: this is for a deployment's own database.
  const config = { ...loadConfig(), demo: false };
  const { database } = await prepareDatabase(config);
  try {
    const admin = await createDistrictAdmin(database.db, {
      username: values.username,
      displayName: values.name,
      phone: values.phone ?? null,
      force: values.force,
    });
    console.log(`district administrator created: ${admin.username} (${admin.displayName})`);
    console.log(
      `temporary password (shown once; it must be changed at first sign-in): ${admin.temporaryPassword}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      const fields = (err.extra.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
      console.error(`not created: ${err.message}${fields ? ` (${fields})` : ''}`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('admin:create could not run:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
