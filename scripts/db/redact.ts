/**
 * A connection string safe to print: the password is removed, everything else kept.
 *
 * @example redactUrl('postgresql://u:secret@h:5432/d') // 'postgresql://u@h:5432/d'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    return parsed.toString().replace(/^(\w+:\/\/[^@/]*?):?@/, '$1@');
  } catch {
    // Not a URL (a libpq keyword string, say): drop any password=… pair rather than guess.
    return url.replace(/password\s*=\s*\S+/gi, 'password=…');
  }
}

/** Host, port and database named in a connection string, for error messages. */
export function describeUrl(url: string): { host: string; port: number; database: string } {
  try {
    const parsed = new URL(url);
    return {
      host: parsed.hostname || 'localhost',
      port: Number(parsed.port || 5432),
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    };
  } catch {
    return { host: 'unknown', port: 0, database: 'unknown' };
  }
}
