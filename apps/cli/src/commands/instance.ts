import { readFileSync } from 'node:fs';
import { BEAT_CODES, type InstanceHost, type RegisterInstanceParams } from '@tacos/client';
import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error';
import { action, type Context, type Io } from '../context';
import { formatMetadata, parseMetadata } from '../metadata';
import type { Column } from '../table';
import { boolArg, intArg, numberArg, portArg } from '../parse';
import { untilSignal } from '../signals';

interface InstanceOptions {
  service?: string;
  ip?: string;
  port?: number;
  cluster?: string;
  persistent?: boolean;
}

interface RegisterOptions extends InstanceOptions {
  weight?: number;
  metadata?: string;
  enabled?: boolean;
  healthy?: boolean;
  file?: string;
}

interface ListOptions {
  service: string;
  healthyOnly?: boolean;
  clusters?: string;
}

interface BeatOptions extends InstanceOptions {
  interval?: number;
  count?: number;
  weight?: number;
  metadata?: string;
}

/** Columns of instance tables (shared with `watch`). */
export function instanceColumns(ctx: Context): Column<InstanceHost>[] {
  return [
    { header: 'IP', value: (h) => h.ip, keep: true },
    { header: 'PORT', value: (h) => h.port, keep: true },
    { header: 'CLUSTER', value: (h) => h.clusterName },
    { header: 'WEIGHT', value: (h) => h.weight },
    {
      header: 'HEALTHY',
      value: (h) => h.healthy,
      style: (text, h) => ctx.out.paint(h.healthy ? 'green' : 'red', text),
    },
    { header: 'ENABLED', value: (h) => h.enabled },
    { header: 'EPHEMERAL', value: (h) => h.ephemeral },
    { header: 'METADATA', value: (h) => formatMetadata(h.metadata) },
  ];
}

function requireInstance(opts: InstanceOptions): { serviceName: string; ip: string; port: number } {
  const missing = (['service', 'ip', 'port'] as const).filter((key) => opts[key] === undefined);
  if (missing.length > 0) {
    throw usageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`, 'an instance is named by --service, --ip and --port');
  }
  return { serviceName: opts.service!, ip: opts.ip!, port: opts.port! };
}

function instanceOptions(command: Command, required: boolean): Command {
  const add = (flags: string, text: string, parser?: (v: string) => unknown) => {
    if (required) command.requiredOption(flags, text, parser as (v: string) => string);
    else command.option(flags, text, parser as (v: string) => string);
  };
  add('--service <name>', 'service name (without group)');
  add('--ip <ip>', 'instance IP or host name');
  add('--port <port>', 'instance port', portArg);
  return command
    .option('--cluster <name>', 'cluster name (default DEFAULT)')
    .option('--persistent', 'a persistent (non-ephemeral) instance');
}

/**
 * `tacos instance register|deregister|update|list|get|beat`: instances of a service, under the global
 * `--namespace` and `--group`.
 */
export function registerInstanceCommands(program: Command, io: Io): void {
  const instance = program.command('instance').description('register, list, update and keep alive instances');

  instanceOptions(
    instance
      .command('register')
      .description('register an instance (upsert), or many with --file')
      .addHelpText(
        'after',
        '\n--file takes a JSON array (or one JSON object per line) of {serviceName, ip, port, clusterName,\nweight, metadata, ephemeral, groupName}; --service, --cluster, --persistent give defaults.',
      ),
    false,
  )
    .option('--weight <w>', 'weight, 0..10000', numberArg)
    .option('--metadata <k=v,...>', 'metadata (k=v,k2=v2 or JSON)')
    .option('--enabled <bool>', 'enabled (default true)', boolArg)
    .option('--healthy <bool>', 'initial health (default true)', boolArg)
    .option('--file <path>', 'register every instance listed in a JSON file')
    .action(
      action<RegisterOptions>(io, async (ctx, opts) => {
        if (opts.file !== undefined) {
          await bulkRegister(ctx, opts);
          return;
        }
        const id = requireInstance(opts);
        await ctx.client().registerInstance({
          ...id,
          groupName: ctx.groupName,
          clusterName: opts.cluster,
          ephemeral: opts.persistent ? false : undefined,
          weight: opts.weight,
          enabled: opts.enabled,
          healthy: opts.healthy,
          metadata: opts.metadata === undefined ? undefined : parseMetadata(opts.metadata),
        });
        ctx.out.result(
          { ok: true, action: 'registered', ...id, clusterName: opts.cluster ?? 'DEFAULT', ephemeral: !opts.persistent },
          `registered ${id.ip}:${id.port} in ${id.serviceName}${opts.persistent ? ' (persistent)' : ''}`,
        );
        if (!opts.persistent) ctx.out.info('note: an ephemeral instance expires without beats; see `tacos instance beat`');
      }),
    );

  instanceOptions(instance.command('deregister').description('remove an instance'), true).action(
    action<InstanceOptions>(io, async (ctx, opts) => {
      const id = requireInstance(opts);
      await ctx.client().deregisterInstance({
        ...id,
        groupName: ctx.groupName,
        clusterName: opts.cluster,
        ephemeral: !opts.persistent,
      });
      ctx.out.result({ ok: true, action: 'deregistered', ...id }, `deregistered ${id.ip}:${id.port} from ${id.serviceName}`);
    }),
  );

  instanceOptions(instance.command('update').description('change weight, metadata or enabled; other fields stay'), true)
    .option('--weight <w>', 'weight, 0..10000', numberArg)
    .option('--metadata <k=v,...>', 'new metadata (replaces the old map)')
    .option('--enabled <bool>', 'enable or disable (offline) the instance', boolArg)
    .action(
      action<RegisterOptions>(io, async (ctx, opts) => {
        const id = requireInstance(opts);
        if (opts.weight === undefined && opts.metadata === undefined && opts.enabled === undefined) {
          throw usageError('nothing to update', 'give --weight, --metadata or --enabled');
        }
        await ctx.client().patchInstance({
          ...id,
          groupName: ctx.groupName,
          clusterName: opts.cluster,
          ephemeral: opts.persistent ? false : undefined,
          weight: opts.weight,
          enabled: opts.enabled,
          metadata: opts.metadata === undefined ? undefined : parseMetadata(opts.metadata),
        });
        ctx.out.result({ ok: true, action: 'updated', ...id }, `updated ${id.ip}:${id.port} in ${id.serviceName}`);
      }),
    );

  instance
    .command('list')
    .description('list the instances of a service')
    .requiredOption('--service <name>', 'service name (without group)')
    .option('--healthy-only', 'only healthy instances')
    .option('--clusters <a,b>', 'only these clusters')
    .action(
      action<ListOptions>(io, async (ctx, opts) => {
        const list = await ctx.client().listInstances({
          serviceName: opts.service,
          groupName: ctx.groupName,
          clusters: opts.clusters,
          healthyOnly: opts.healthyOnly,
        });
        ctx.out.data(list, instanceColumns(ctx), list.hosts);
        if (ctx.out.format === 'table') {
          ctx.out.info(`${list.hosts.length} instance(s)${list.reachProtectThreshold ? '; protect threshold reached: unhealthy instances are shown as healthy' : ''}`);
        }
      }),
    );

  instanceOptions(instance.command('get').description('show one instance'), true).action(
    action<InstanceOptions>(io, async (ctx, opts) => {
      const id = requireInstance(opts);
      const detail = await ctx.client().getInstance({ ...id, groupName: ctx.groupName, clusterName: opts.cluster });
      if (ctx.out.format !== 'table') {
        ctx.out.raw(detail);
        return;
      }
      ctx.out.record({}, [
        ['service', detail.service],
        ['ip', detail.ip],
        ['port', detail.port],
        ['cluster', detail.clusterName],
        ['weight', detail.weight],
        ['healthy', detail.healthy],
        ['instanceId', detail.instanceId],
        ['metadata', formatMetadata(detail.metadata)],
      ]);
    }),
  );

  instanceOptions(
    instance
      .command('beat')
      .description('send heartbeats for an ephemeral instance until Ctrl-C (or --count beats)'),
    true,
  )
    .option('--interval <ms>', 'ms between beats (default: what the server asks, 5000)', intArg(100, 3_600_000))
    .option('--count <n>', 'stop after n beats', intArg(1))
    .option('--weight <w>', 'weight used if the server re-registers the instance', numberArg)
    .option('--metadata <k=v,...>', 'metadata used if the server re-registers the instance')
    .action(action<BeatOptions>(io, (ctx, opts) => beatLoop(ctx, opts)));
}

async function beatLoop(ctx: Context, opts: BeatOptions): Promise<void> {
  const id = requireInstance(opts);
  const client = ctx.client();
  const metadata = opts.metadata === undefined ? undefined : parseMetadata(opts.metadata);
  const stop = untilSignal();
  let interval = opts.interval;
  try {
    for (let sent = 1; opts.count === undefined || sent <= opts.count; sent++) {
      const result = await client.sendBeat({
        ...id,
        groupName: ctx.groupName,
        clusterName: opts.cluster,
        beat: { ...id, cluster: opts.cluster ?? 'DEFAULT', weight: opts.weight ?? 1, metadata: metadata ?? {} },
      });
      const known = result.code !== BEAT_CODES.RESOURCE_NOT_FOUND;
      if (ctx.out.format === 'table') {
        ctx.out.info(`beat ${sent}: code ${result.code}${known ? '' : ' (server does not know the instance)'}, next in ${interval ?? result.clientBeatInterval} ms`);
      } else {
        ctx.out.line({ beat: sent, ...result });
      }
      interval = opts.interval ?? (result.clientBeatInterval > 0 ? result.clientBeatInterval : 5000);
      if (opts.count !== undefined && sent === opts.count) break;
      if (await stop.sleep(interval)) break;
    }
  } finally {
    stop.dispose();
  }
}

async function bulkRegister(ctx: Context, opts: RegisterOptions): Promise<void> {
  let text: string;
  try {
    text = readFileSync(opts.file!, 'utf8');
  } catch (error) {
    throw usageError(`cannot read --file ${opts.file}: ${(error as Error).message}`);
  }
  const entries = parseInstanceFile(text, opts.file!);
  const client = ctx.client();
  let done = 0;
  const failures: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const params: RegisterInstanceParams = {
      serviceName: String(entry.serviceName ?? opts.service ?? ''),
      groupName: entry.groupName === undefined ? ctx.groupName : String(entry.groupName),
      ip: String(entry.ip ?? ''),
      port: Number(entry.port),
      clusterName: entry.clusterName === undefined ? opts.cluster : String(entry.clusterName),
      weight: entry.weight === undefined ? opts.weight : Number(entry.weight),
      ephemeral: entry.ephemeral === undefined ? (opts.persistent ? false : undefined) : entry.ephemeral === true,
      metadata: (entry.metadata as Record<string, string> | undefined) ?? (opts.metadata ? parseMetadata(opts.metadata) : undefined),
    };
    if (!params.serviceName || !params.ip || !Number.isInteger(params.port)) {
      throw usageError(`entry ${index + 1} of ${opts.file} needs serviceName (or --service), ip and port`);
    }
    try {
      await client.registerInstance(params);
    } catch (error) {
      failures.push(`${params.serviceName} ${params.ip}:${params.port}: ${(error as Error).message}`);
    }
    done++;
    if (done % 10 === 0 || done === entries.length) ctx.out.progress('registering', done, entries.length);
  }
  const ok = entries.length - failures.length;
  ctx.out.result(
    { ok: failures.length === 0, action: 'registered', total: entries.length, registered: ok, failures },
    `registered ${ok} of ${entries.length} instance(s)`,
  );
  if (failures.length > 0) {
    throw new CliError('REFUSED', `${failures.length} registration(s) failed:\n  ${failures.slice(0, 20).join('\n  ')}`);
  }
}

function parseInstanceFile(text: string, file: string): Array<Record<string, unknown>> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Array<Record<string, unknown>>;
    return trimmed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch (error) {
    throw usageError(`${file} is not a JSON array or JSON lines: ${(error as Error).message}`);
  }
}
