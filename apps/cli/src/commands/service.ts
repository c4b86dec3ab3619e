import { type CatalogServiceSummary, TacosHttpError } from '@tacos/client';
import type { Command } from 'commander';
import { action, type Io } from '../context';
import { formatMetadata, parseMetadata } from '../metadata';
import { intArg, numberArg } from '../parse';

interface ListOptions {
  page: number;
  size: number;
  allGroups?: boolean;
}

interface WriteOptions {
  protectThreshold?: number;
  metadata?: string;
  selector?: string;
}

/**
 * `tacos service list|get|create|update|delete`. Names are given without the group; `--group` and
 * `--namespace` (global) choose where.
 */
export function registerServiceCommands(program: Command, io: Io): void {
  const service = program.command('service').description('list, inspect, create, update and delete services');

  service
    .command('list')
    .description('list the services of a group (--all-groups for every group)')
    .option('--page <n>', 'page number, from 1', intArg(1), 1)
    .option('--size <n>', 'page size', intArg(1, 10000), 100)
    .option('--all-groups', 'list services of every group')
    .action(
      action<ListOptions>(io, async (ctx, opts) => {
        const client = ctx.client();
        const groupName = opts.allGroups ? '*' : ctx.groupName;
        try {
          // The catalog gives counts per service; it is what the console uses.
          const page = await client.catalogServices({
            pageNo: opts.page,
            pageSize: opts.size,
            groupNameParam: opts.allGroups ? undefined : (ctx.groupName ?? 'DEFAULT_GROUP'),
          });
          // groupNameParam is a substring match on the server; keep only the exact group.
          const group = ctx.groupName ?? 'DEFAULT_GROUP';
          const rows = opts.allGroups ? page.serviceList : page.serviceList.filter((s) => s.groupName === group);
          const count = rows.length === page.serviceList.length ? page.count : rows.length;
          ctx.out.data<CatalogServiceSummary>(
            { count, services: rows },
            [
              { header: 'NAME', value: (s) => s.name, keep: true },
              { header: 'GROUP', value: (s) => s.groupName },
              { header: 'CLUSTERS', value: (s) => s.clusterCount },
              { header: 'INSTANCES', value: (s) => s.ipCount },
              { header: 'HEALTHY', value: (s) => s.healthyInstanceCount },
              { header: 'PROTECTED', value: (s) => String(s.triggerFlag) },
            ],
            rows,
          );
          if (ctx.out.format === 'table') ctx.out.info(`${count} service(s)`);
          return;
        } catch (error) {
          if (!(error instanceof TacosHttpError && (error.status === 404 || error.status === 501))) throw error;
        }
        const page = await client.listServices({ pageNo: opts.page, pageSize: opts.size, groupName });
        const group = groupName ?? 'DEFAULT_GROUP';
        const services = page.doms.map((name) => ({ name, groupName: group }));
        ctx.out.data<{ name: string; groupName: string }>(
          { count: page.count, services },
          [
            { header: 'NAME', value: (s) => s.name },
            { header: 'GROUP', value: (s) => s.groupName },
          ],
          services,
        );
        if (ctx.out.format === 'table') ctx.out.info(`${page.count} service(s)`);
      }),
    );

  service
    .command('get')
    .description('show a service and its clusters')
    .argument('<name>', 'service name')
    .action(
      action(io, async (ctx, _opts, [name]) => {
        const detail = await ctx.client().getService({ serviceName: name!, groupName: ctx.groupName });
        if (ctx.out.format !== 'table') {
          ctx.out.raw(detail);
          return;
        }
        ctx.out.record({}, [
          ['name', detail.name],
          ['group', detail.groupName],
          ['namespace', detail.namespaceId],
          ['protectThreshold', detail.protectThreshold],
          ['metadata', formatMetadata(detail.metadata)],
          ['selector', detail.selector],
          ['clusters', (detail.clusters ?? []).map((c) => `${c.name}(${c.healthChecker?.type ?? '?'})`).join(', ')],
        ]);
      }),
    );

  const withWriteOptions = (command: Command) =>
    command
      .argument('<name>', 'service name')
      .option('--protect-threshold <f>', 'protect threshold, 0..1', numberArg)
      .option('--metadata <k=v,...>', 'service metadata (k=v,k2=v2 or JSON)')
      .option('--selector <json>', 'selector JSON, e.g. {"type":"none"}');

  withWriteOptions(service.command('create').description('create a service (fails if it exists)')).action(
    action<WriteOptions>(io, async (ctx, opts, [name]) => {
      await ctx.client().createService({
        serviceName: name!,
        groupName: ctx.groupName,
        protectThreshold: opts.protectThreshold,
        metadata: opts.metadata === undefined ? undefined : parseMetadata(opts.metadata),
        selector: opts.selector,
      });
      ctx.out.result({ ok: true, action: 'created', serviceName: name, groupName: ctx.groupName ?? 'DEFAULT_GROUP' }, `created service ${name}`);
    }),
  );

  withWriteOptions(
    service.command('update').description('update a service; options not given keep their current value'),
  ).action(
    action<WriteOptions>(io, async (ctx, opts, [name]) => {
      const client = ctx.client();
      // PUT /service replaces threshold and metadata: read the current values to keep what is not given.
      const current = await client.getService({ serviceName: name!, groupName: ctx.groupName });
      await client.updateService({
        serviceName: name!,
        groupName: ctx.groupName,
        protectThreshold: opts.protectThreshold ?? current.protectThreshold,
        metadata: opts.metadata === undefined ? (current.metadata ?? {}) : parseMetadata(opts.metadata),
        selector: opts.selector,
      });
      ctx.out.result({ ok: true, action: 'updated', serviceName: name, groupName: ctx.groupName ?? 'DEFAULT_GROUP' }, `updated service ${name}`);
    }),
  );

  service
    .command('delete')
    .description('delete a service')
    .argument('<name>', 'service name')
    .action(
      action(io, async (ctx, _opts, [name]) => {
        await ctx.client().deleteService({ serviceName: name!, groupName: ctx.groupName });
        ctx.out.result({ ok: true, action: 'deleted', serviceName: name, groupName: ctx.groupName ?? 'DEFAULT_GROUP' }, `deleted service ${name}`);
      }),
    );
}
