import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { StrataError } from '../core/errors.ts';
import type { PgInstall } from './install.ts';
import { cacheDir } from './paths.ts';
import { run } from './run.ts';

/** One PostgreSQL server of the local cluster. */
export interface ClusterNode {
  readonly name: 'coordinator' | 'worker1' | 'worker2' | 'single';
  readonly port: number;
  readonly dataDir: string;
}

export interface Cluster {
  readonly dir: string;
  readonly database: string;
  readonly nodes: readonly ClusterNode[];
}

export const DEFAULT_PORT = 9700;

/** Shards per distributed table on the local cluster (see clusterUp). */
export const SHARD_COUNT = 8;

/** The local three-node layout: a coordinator and two workers on consecutive ports. */
export function clusterLayout(dir = join(cacheDir(), 'citus-cluster'), port = DEFAULT_PORT): Cluster {
  const names = ['coordinator', 'worker1', 'worker2'] as const;
  return { dir, database: 'strata', nodes: names.map((name, i) => ({ name, port: port + i, dataDir: join(dir, name) })) };
}

/** The coordinator's connection string: what DATABASE_URL should be for a build on the cluster. */
export function coordinatorUrl(cluster: Cluster, database = cluster.database): string {
  return `postgresql://postgres@localhost:${cluster.nodes[0]!.port}/${database}`;
}

/** As root the servers run as `postgres`, which cannot act as root; otherwise as the current user. */
const serverUser = (): string | undefined => (userInfo().uid === 0 ? 'postgres' : undefined);

/**
 * Starts (initialising on first use) the coordinator and two workers, creates the database with
 * the citus extension on each, and registers the workers with the coordinator. Idempotent: nodes
 * already running are left as they are.
 */
export async function clusterUp(cluster: Cluster, pgi: PgInstall, log: (line: string) => void): Promise<void> {
  await mkdir(cluster.dir, { recursive: true });
  const as = serverUser();
  if (as) await handTo(cluster.dir, as);
  for (const node of cluster.nodes) {
    if (!existsSync(join(node.dataDir, 'PG_VERSION'))) await initNode(node, pgi, as, log);
    if (!(await running(node, pgi, as))) {
      log(`starting ${node.name} on port ${node.port}`);
      await run(join(pgi.bindir, 'pg_ctl'), ['-D', node.dataDir, '-l', join(node.dataDir, 'server.log'), '-w', '-t', '60', 'start'], { as });
    }
  }
  for (const node of cluster.nodes) await prepareDatabase(cluster, node);
  // 8 shards per distributed table (4 on each worker, two cores each at most here) instead of
  // Citus's 32: every build creates its tables' shards, and 32 per table cost a second each of DDL
  // on this two-core machine. A real cluster keeps its own setting (shards = a multiple of cores).
  await query(cluster, cluster.nodes[0]!, `alter database "${cluster.database}" set citus.shard_count = ${SHARD_COUNT}`);
  // Citus copies the local tables of a statement that also reads a distributed one into
  // intermediate results, filtered but not aggregated: the view gold.data_quality_counts and the
  // test gold_totals_match_silver copy every staged line (about 230 bytes each), which passes
  // Citus's 1 GB default between 1 M and 10 M lines ("the intermediate result size exceeds
  // citus.max_intermediate_result_size"). Unlimited here; docs/scale-out.md tells a real cluster
  await query(cluster, cluster.nodes[0]!, `alter database "${cluster.database}" set citus.max_intermediate_result_size = -1`);
  await registerWorkers(cluster, log);
}

/** Stops every node (fast shutdown); the data stays for the next `up`. `--purge` removes it too. */
export async function clusterDown(cluster: Cluster, pgi: PgInstall, purge: boolean, log: (line: string) => void): Promise<void> {
  const as = serverUser();
  for (const node of cluster.nodes) {
    if (await running(node, pgi, as)) {
      log(`stopping ${node.name}`);
      await run(join(pgi.bindir, 'pg_ctl'), ['-D', node.dataDir, '-m', 'fast', '-w', 'stop'], { as });
    }
  }
  if (purge) await rm(cluster.dir, { recursive: true, force: true });
}

/** One line per node (running or not) and the workers the coordinator knows. */
export async function clusterStatus(cluster: Cluster, pgi: PgInstall): Promise<string[]> {
  const lines: string[] = [];
  const as = serverUser();
  for (const node of cluster.nodes) {
    const state = !existsSync(join(node.dataDir, 'PG_VERSION')) ? 'not initialised' : (await running(node, pgi, as)) ? 'running' : 'stopped';
    lines.push(`${node.name.padEnd(12)} port ${node.port}  ${state}  ${node.dataDir}`);
  }
  const coordinator = cluster.nodes[0]!;
  if (await running(coordinator, pgi, as)) {
    const workers = await query<{ node_name: string; node_port: number }>(cluster, coordinator, 'select * from citus_get_active_worker_nodes() order by node_port');
    lines.push(`active workers: ${workers.map((w) => `${w.node_name}:${w.node_port}`).join(', ') || 'none'}`);
    lines.push(`DATABASE_URL=${coordinatorUrl(cluster)}`);
  }
  return lines;
}

/**
 * One plain PostgreSQL server of the same installation, without Citus (the benchmark's one-node
 * side: the same binaries and settings as a cluster node). Returns its connection string.
 */
export async function singleNodeUp(dir: string, port: number, pgi: PgInstall): Promise<{ url: string; down: () => Promise<void> }> {
  const node: ClusterNode = { name: 'single', port, dataDir: join(dir, 'single') };
  await mkdir(dir, { recursive: true });
  const as = serverUser();
  if (as) await handTo(dir, as);
  await initNode(node, pgi, as, () => {}, false);
  await run(join(pgi.bindir, 'pg_ctl'), ['-D', node.dataDir, '-l', join(node.dataDir, 'server.log'), '-w', '-t', '60', 'start'], { as });
  const cluster: Cluster = { dir, database: 'strata', nodes: [node] };
  await query(cluster, node, `create database strata`, [], 'postgres');
  return {
    url: coordinatorUrl(cluster),
    down: async () => void (await run(join(pgi.bindir, 'pg_ctl'), ['-D', node.dataDir, '-m', 'fast', '-w', 'stop'], { as })),
  };
}

async function initNode(node: ClusterNode, pgi: PgInstall, as: string | undefined, log: (line: string) => void, citus = true): Promise<void> {
  log(`initialising ${node.name} in ${node.dataDir}`);
  await mkdir(node.dataDir, { recursive: true, mode: 0o700 });
  if (as) await chownTo(node.dataDir, as);
  // trust on loopback only: a throw-away local test cluster whose nodes connect to each other as
  // postgres; it listens on localhost and nowhere else
  await run(join(pgi.bindir, 'initdb'), ['-D', node.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { as });
  await appendFile(
    join(node.dataDir, 'postgresql.conf'),
    [
      '',
      '# strata local Citus cluster',
      `port = ${node.port}`,
      "listen_addresses = 'localhost'",
      `unix_socket_directories = '${node.dataDir}'`,
      ...(citus ? ["shared_preload_libraries = 'citus'"] : []),
      'max_connections = 200',
      'max_prepared_transactions = 200',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      '',
    ].join('\n'),
  );
}

async function running(node: ClusterNode, pgi: PgInstall, as: string | undefined): Promise<boolean> {
  if (!existsSync(join(node.dataDir, 'PG_VERSION'))) return false;
  try {
    await run(join(pgi.bindir, 'pg_ctl'), ['-D', node.dataDir, 'status'], { as });
    return true;
  } catch {
    return false;
  }
}

async function prepareDatabase(cluster: Cluster, node: ClusterNode): Promise<void> {
  const exists = await query(cluster, node, `select 1 from pg_database where datname = $1`, [cluster.database], 'postgres');
  if (exists.length === 0) await query(cluster, node, `create database "${cluster.database}"`, [], 'postgres');
  await query(cluster, node, 'create extension if not exists citus');
}

async function registerWorkers(cluster: Cluster, log: (line: string) => void): Promise<void> {
  const [coordinator, ...workers] = cluster.nodes as [ClusterNode, ...ClusterNode[]];
  await query(cluster, coordinator, 'select citus_set_coordinator_host($1, $2)', ['localhost', coordinator.port]);
  const known = await query<{ nodeport: number }>(cluster, coordinator, 'select nodeport from pg_dist_node');
  for (const worker of workers) {
    if (known.some((k) => k.nodeport === worker.port)) continue;
    log(`adding ${worker.name} (localhost:${worker.port}) to the coordinator`);
    await query(cluster, coordinator, 'select citus_add_node($1, $2)', ['localhost', worker.port]);
  }
}

async function query<T = Record<string, unknown>>(
  cluster: Cluster,
  node: ClusterNode,
  sql: string,
  params: readonly unknown[] = [],
  database = cluster.database,
): Promise<T[]> {
  const client = new pg.Client({ host: 'localhost', port: node.port, user: 'postgres', database });
  try {
    await client.connect();
    return (await client.query(sql, [...params])).rows as T[];
  } catch (error) {
    throw new StrataError(`${node.name} (port ${node.port}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

/** The servers run as `as`: it owns the cluster folder and can reach it through every parent. */
async function handTo(dir: string, as: string): Promise<void> {
  await chownTo(dir, as);
  for (let d = dirname(resolve(dir)); dirname(d) !== d; d = dirname(d)) {
    const mode = (await stat(d)).mode;
    if ((mode & 0o001) === 0) await chmod(d, (mode & 0o7777) | 0o001);
  }
}

async function chownTo(dir: string, as: string): Promise<void> {
  const uid = Number((await run('id', ['-u', as])).trim());
  const gid = Number((await run('id', ['-g', as])).trim());
  await chown(dir, uid, gid);
}
