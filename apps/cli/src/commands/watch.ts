import { type InstanceHost, type InstanceList, TacosHttpError } from '@tacos/client';
import type { Command } from 'commander';
import { action, type Context, type Io } from '../context';
import { intArg } from '../parse';
import { untilSignal } from '../signals';
import { instanceColumns } from './instance';

interface WatchOptions {
  clusters?: string;
  count?: number;
  interval: number;
  poll?: boolean;
}

/**
 * `tacos watch SERVICE`: prints the instance list of a service now and after every change, until
 * Ctrl-C or `--count` lists. Uses the server's SSE stream (`/ns/instance/watch`); when the server
 * answers 404 (no watch support) it says so on stderr and polls `instance/list` every `--interval` ms,
 * printing only when the list changed. JSON output is one line per list (NDJSON).
 */
export function registerWatchCommand(program: Command, io: Io): void {
  program
    .command('watch')
    .description('stream the instance list of a service as it changes (SSE; polling fallback)')
    .argument('<service>', 'service name (without group)')
    .option('--clusters <a,b>', 'only these clusters')
    .option('--count <n>', 'stop after n lists', intArg(1))
    .option('--interval <ms>', 'polling interval when the server has no watch stream', intArg(100, 600_000), 1000)
    .option('--poll', 'poll instead of using the watch stream')
    .action(action<WatchOptions>(io, (ctx, opts, [service]) => watch(ctx, service!, opts)));
}

async function watch(ctx: Context, serviceName: string, opts: WatchOptions): Promise<void> {
  const client = ctx.client();
  const params = { serviceName, groupName: ctx.groupName, clusters: opts.clusters };
  const stop = untilSignal();
  const controller = new AbortController();
  void stop.promise.then(() => controller.abort());
  let printed = 0;
  const done = () => stop.stopped || (opts.count !== undefined && printed >= opts.count);
  const print = (list: InstanceList) => {
    printed++;
    if (ctx.out.format === 'table') {
      ctx.out.text(`# ${new Date().toISOString()} ${serviceName}: ${list.hosts.length} instance(s)`);
      ctx.out.data(list, instanceColumns(ctx), list.hosts);
    } else {
      ctx.out.line(list);
    }
  };
  try {
    if (!opts.poll) {
      try {
        for await (const list of client.watchInstances(params, { signal: controller.signal })) {
          print(list);
          if (done()) break;
        }
        return;
      } catch (error) {
        if (!(error instanceof TacosHttpError && (error.status === 404 || error.status === 501))) throw error;
        ctx.out.info(`note: this server has no watch stream (HTTP ${error.status}); polling instance/list every ${opts.interval} ms`);
      }
    }
    let last: string | undefined;
    // Bounded by --count or a signal; each round waits --interval.
    while (!done()) {
      const list = await client.listInstances(params);
      const key = fingerprint(list.hosts);
      if (key !== last) {
        last = key;
        print(list);
        if (done()) break;
      }
      if (await stop.sleep(opts.interval)) break;
    }
  } finally {
    stop.dispose();
    controller.abort();
  }
}

/** What counts as a change: the hosts' identity and state, ignoring order and refresh times. */
function fingerprint(hosts: InstanceHost[]): string {
  return JSON.stringify(
    hosts
      .map((h) => [h.ip, h.port, h.clusterName, h.weight, h.healthy, h.enabled, h.ephemeral, h.metadata])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );
}
