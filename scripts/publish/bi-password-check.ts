import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { serverLostReason } from '../db/server-lost.ts';

/** What connecting as the BI role with the kept password showed. */
export type BiPasswordCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'no password file' | 'mismatch' | 'other'; readonly detail?: string };

/**
 * Connects once as the BI role with the password kept in `passwordFile`: the role's password may
 * have been changed elsewhere (another checkout on the same server), and then the file a user is
 * pointed at no longer works. Never prints or returns the password.
 */
export async function checkBiPassword(url: string, role: string, passwordFile: string): Promise<BiPasswordCheck> {
  const password = (await readFile(passwordFile, 'utf8').catch(() => undefined))?.trim();
  if (password === undefined) return { ok: false, reason: 'no password file' };
  const target = new URL(url);
  target.username = encodeURIComponent(role);
  target.password = encodeURIComponent(password);
  const client = new pg.Client({ connectionString: target.toString(), application_name: 'strata bi check', connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '28P01') return { ok: false, reason: 'mismatch' };
    return { ok: false, reason: 'other', detail: serverLostReason(error) ?? (error instanceof Error ? error.message : String(error)) };
  } finally {
    await client.end().catch(() => {});
  }
}
