import { eq, isNotNull } from 'drizzle-orm';
import { ConfigError } from '../../config';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { SecretBox, SecretKeyMismatch } from '../../core/secret-box';
import { totpSecretContext } from './auth-service';
import { accounts } from './schema';

/**
 * At start-up: every stored TOTP secret must open with the configured key, and secrets stored in
 * clear (before secrets were sealed, or restored from such a backup) are sealed now, in one
 * audited transaction. A key that does not open a sealed secret stops the start, naming
 * LINLI_SECRET_KEY: a wrong key would lock every staff member with an authenticator out.
 */
export async function sealTotpSecrets(db: Db, box: SecretBox): Promise<{ checked: number; sealed: number }> {
  const rows = await db
    .select({ id: accounts.id, districtId: accounts.districtId, secret: accounts.totpSecret })
    .from(accounts)
    .where(isNotNull(accounts.totpSecret));
  const clear: typeof rows = [];
  for (const r of rows) {
    if (!SecretBox.isSealed(r.secret!)) {
      clear.push(r);
      continue;
    }
    try {
      box.open(r.secret!, totpSecretContext(r.id));
    } catch (err) {
      if (!(err instanceof SecretKeyMismatch)) throw err;
      throw new ConfigError(
        'LINLI_SECRET_KEY',
        `does not open the stored TOTP secret of account ${r.id}: it is not the key the secrets were sealed with. Start with that key (a new key cannot read them; staff would have to set up their authenticators again)`,
      );
    }
  }
  if (clear.length) {
    await db.transaction(async (tx) => {
      for (const r of clear)
        await tx
          .update(accounts)
          .set({ totpSecret: box.seal(r.secret!, totpSecretContext(r.id)) })
          .where(eq(accounts.id, r.id));
      await writeAudit(tx, systemContext(clear[0]!.districtId), {
        action: 'account.totp_secrets_seal',
        entityType: 'account',
        entityId: null,
        note: { accounts: clear.length },
      });
    });
  }
  return { checked: rows.length, sealed: clear.length };
}
