import { readFile, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/core/errors.ts';
import { startEmbedded } from '../../scripts/db/embedded.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

describe('the embedded server', () => {
  it('moves to a free port when its port is taken, remembers it, and is joined by a second process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-embedded-'));
    dirs.push(dir);
    const state = join(dir, '.strata');
    await mkdir(state);
    const busy = await listen(0);
    const busyPort = (busy.address() as { port: number }).port;
    await writeFile(join(state, 'server.json'), JSON.stringify({ port: busyPort, user: 'strata', password: 'pw-123', database: 'strata' }));

    const first = await startEmbedded(state);
    try {
      expect(first.startedHere).toBe(true);
      expect(first.state.port).not.toBe(busyPort);
      const remembered = JSON.parse(await readFile(join(state, 'server.json'), 'utf8'));
      expect(remembered.port).toBe(first.state.port);

      const second = await startEmbedded(state);
      expect(second.startedHere).toBe(false);
      expect(second.state.port).toBe(first.state.port);
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query('select current_database() as d')).rows[0].d).toBe('strata');
      await client.end();

      // STRATA_DATABASE (here the argument it defaults to): another database of the same server,
      // created on first use, for this process only; server.json keeps the default
      const travel = await startEmbedded(state, () => {}, 'walk_travel');
      expect([travel.startedHere, travel.state.database, new URL(travel.url).pathname]).toEqual([false, 'walk_travel', '/walk_travel']);
      const inTravel = new pg.Client({ connectionString: travel.url });
      await inTravel.connect();
      expect((await inTravel.query('select current_database() as d')).rows[0].d).toBe('walk_travel');
      await inTravel.end();
      expect(JSON.parse(await readFile(join(state, 'server.json'), 'utf8')).database).toBe('strata');
      await expect(startEmbedded(state, () => {}, 'Travel; drop')).rejects.toThrow(UsageError);
      await expect(startEmbedded(state, () => {}, 'postgres')).rejects.toThrow(/STRATA_DATABASE must be a plain database name .*got 'postgres'/);

      // scram-sha-256, never cleartext `password`; and a session of its own, so that a Ctrl-C at the
      // terminal (sent to our process group) does not shut the server down under a build
      const hba = (await readFile(join(state, 'pgdata', 'pg_hba.conf'), 'utf8')).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
      expect(hba.length).toBeGreaterThan(0);
      for (const line of hba) expect(line).toMatch(/scram-sha-256\s*$/);
      const pid = Number((await readFile(join(state, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const groupOf = async (p: number | string): Promise<string> => (await readFile(`/proc/${p}/stat`, 'utf8')).split(') ')[1]!.split(' ')[2]!;
      expect(await groupOf(pid)).not.toBe(await groupOf('self'));
    } finally {
      await first.stop();
      busy.close();
    }
  });

  it('two projects starting at once on the same free port: the one that loses the race moves to another port', async () => {
    // both find the port free (before either server binds it), as two processes starting their
    // first build at once both find DEFAULT_PORT free
    const probe = await listen(0);
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const states = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const dir = await mkdtemp(join(tmpdir(), `strata-race-${name}-`));
        dirs.push(dir);
        const state = join(dir, '.strata');
        await mkdir(state);
        await writeFile(join(state, 'server.json'), JSON.stringify({ port, user: 'strata', password: 'pw-123', database: 'strata' }));
        return state;
      }),
    );
    const lines: string[] = [];
    const servers = await Promise.allSettled(states.map((state) => startEmbedded(state, (line) => lines.push(line))));
    try {
      expect(servers.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      const [a, b] = servers.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startEmbedded>>>).value);
      expect(new Set([a!.state.port, b!.state.port]).size).toBe(2);
      expect([a!.state.port, b!.state.port]).toContain(port);
      expect(lines.some((l) => l.startsWith(`port ${port} was taken while the embedded server started`))).toBe(true);
      for (const [i, server] of [a!, b!].entries()) {
        expect(JSON.parse(await readFile(join(states[i]!, 'server.json'), 'utf8')).port).toBe(server.state.port);
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
        await client.end();
      }
    } finally {
      for (const s of servers) if (s.status === 'fulfilled') await s.value.stop();
    }
  });
});
