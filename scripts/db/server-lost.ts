/**
 * Errors that mean the server (or our connection to it) went away, as opposed to a statement
 * failing: a restart or shutdown (57P01–57P03), a refused or dropped connection. pg reports these
 * as errors on the running query and as 'error' events on idle and checked-out clients.
 */

const BY_CODE: Readonly<Record<string, string>> = {
  '57P01': 'the database server restarted during the build (57P01 admin_shutdown)',
  '57P02': 'the database server crashed during the build (57P02 crash_shutdown)',
  '57P03': 'the database server was starting up or shutting down (57P03 cannot_connect_now)',
  ECONNREFUSED: 'the database server stopped accepting connections (connection refused)',
  ECONNRESET: 'the connection to the database server was reset',
  EPIPE: 'the connection to the database server was lost',
};

/** How long a server-sent shutdown error explains a dropped connection that follows it. */
const EXPLAINS_MS = 30_000;
let lastShutdown: { readonly code: string; readonly at: number } | undefined;

/**
 * Remembers an error a client received outside any query (connect.ts listens on every client).
 * When the server shuts down, it sends 57P01 to each session and closes it; a session busy with
 * a query often sees only "Connection terminated unexpectedly" while an idle one gets the 57P01,
 * so the code is kept to name the cause of the other.
 */
export function noteConnectionError(error: unknown): void {
  const code = (error as { code?: string } | null)?.code;
  if (code && code.startsWith('57P0')) lastShutdown = { code, at: performance.now() };
}

/**
 * A sentence saying the server went away, or undefined for any other error.
 *
 * @example serverLostReason({ code: '57P01' }) // 'the database server restarted during the build (57P01 admin_shutdown)'
 */
export function serverLostReason(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && BY_CODE[code]) return BY_CODE[code];
  if (typeof message === 'string' && /terminating connection due to administrator command/i.test(message)) return BY_CODE['57P01'];
  if (typeof message === 'string' && /Connection terminated/i.test(message)) {
    if (lastShutdown && performance.now() - lastShutdown.at < EXPLAINS_MS) return BY_CODE[lastShutdown.code] ?? BY_CODE['57P01'];
    return 'the connection to the database server was lost (Connection terminated unexpectedly)';
  }
  return undefined;
}

/**
 * Runs `work`, retrying while the server is away (a restart takes a second or two), for up to
 * `waitMs`. Any other error, or the server staying away, is thrown as it is.
 */
export async function whileServerReturns<T>(work: () => Promise<T>, waitMs = 30_000): Promise<T> {
  const until = performance.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (serverLostReason(error) === undefined || performance.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}
