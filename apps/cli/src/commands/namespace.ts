import type { Namespace } from '@tacos/client';
import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { action, type Io } from '../context';

interface CreateOptions {
  name?: string;
  description?: string;
}

/** `tacos namespace list|get|create|delete`. */
export function registerNamespaceCommands(program: Command, io: Io): void {
  const namespace = program.command('namespace').description('list, create and delete namespaces');

  namespace
    .command('list')
    .description('list namespaces')
    .action(
      action(io, async (ctx) => {
        const list = await ctx.client().listNamespaces();
        ctx.out.data<Namespace>(
          list,
          [
            { header: 'ID', value: (n) => (n.namespace === '' ? 'public' : n.namespace) },
            { header: 'NAME', value: (n) => n.namespaceShowName },
          ],
          list,
        );
      }),
    );

  namespace
    .command('get')
    .description('show a namespace with its description')
    .argument('<id>', 'namespace id')
    .action(
      action(io, async (ctx, _opts, [id]) => {
        const detail = await ctx.client().getNamespace(id!);
        if (ctx.out.format !== 'table') {
          ctx.out.raw(detail);
          return;
        }
        ctx.out.record({}, [
          ['id', detail.namespace === '' ? 'public' : detail.namespace],
          ['name', detail.namespaceShowName],
          ['description', detail.namespaceDesc],
        ]);
      }),
    );

  namespace
    .command('create')
    .description('create a namespace')
    .argument('<id>', 'namespace id (letters, digits, _ and -)')
    .option('--name <name>', 'display name (default: the id)')
    .option('--description <text>', 'description')
    .action(
      action<CreateOptions>(io, async (ctx, opts, [id]) => {
        const created = await ctx.client().createNamespace({
          customNamespaceId: id,
          namespaceName: opts.name ?? id!,
          namespaceDesc: opts.description,
        });
        if (!created) {
          throw new CliError('REFUSED', `the server refused to create namespace ${id}`, {
            hint: 'the id may exist already or contain characters other than letters, digits, _ and -',
          });
        }
        ctx.out.result({ ok: true, action: 'created', namespaceId: id }, `created namespace ${id}`);
      }),
    );

  namespace
    .command('delete')
    .description('delete a namespace')
    .argument('<id>', 'namespace id')
    .action(
      action(io, async (ctx, _opts, [id]) => {
        const deleted = await ctx.client().deleteNamespace(id!);
        if (!deleted) throw new CliError('REFUSED', `the server refused to delete namespace ${id}`);
        ctx.out.result({ ok: true, action: 'deleted', namespaceId: id }, `deleted namespace ${id}`);
      }),
    );
}
