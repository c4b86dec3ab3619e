import { type PermissionInfo, type RoleInfo, TacosHttpError, type User } from '@tacos/client';
import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error';
import { action, type Io } from '../context';
import { intArg } from '../parse';
import { prompt, readStdin } from './login';

interface PageOptions {
  page: number;
  size: number;
}

function paged(command: Command): Command {
  return command.option('--page <n>', 'page number, from 1', intArg(1), 1).option('--size <n>', 'page size', intArg(1, 10000), 100);
}

/**
 * `tacos user|role|permission ...`: user, role and permission management
 * (`/nacos/v1/auth/users|roles|permissions`, as Nacos). Needs a server with auth enabled and a login.
 */
export function registerAuthCommands(program: Command, io: Io): void {
  const user = program.command('user').description('manage users (auth)');
  paged(user.command('list').description('list users')).action(
    action<PageOptions>(io, async (ctx, opts) => {
      const page = await ctx.client().listUsers(opts.page, opts.size);
      ctx.out.data<User>(page, [{ header: 'USERNAME', value: (u) => u.username }], page.pageItems ?? []);
    }),
  );
  user
    .command('create')
    .description('create a user (password from --password or TACOS_NEW_PASSWORD)')
    .argument('<username>')
    .option('--password <password>', 'the new user\'s password')
    .action(
      action<{ password?: string }>(io, async (ctx, opts, [username]) => {
        const password = opts.password ?? ctx.env.TACOS_NEW_PASSWORD;
        if (!password) throw usageError('missing --password', 'or set TACOS_NEW_PASSWORD');
        await ctx.client().createUser(username!, password);
        ctx.out.result({ ok: true, action: 'created', username }, `created user ${username}`);
      }),
    );
  user
    .command('delete')
    .description('delete a user')
    .argument('<username>')
    .action(
      action(io, async (ctx, _opts, [username]) => {
        await ctx.client().deleteUser(username!);
        ctx.out.result({ ok: true, action: 'deleted', username }, `deleted user ${username}`);
      }),
    );
  user
    .command('passwd')
    .description('change a user\'s password')
    .argument('<username>')
    .option('--password <password>', 'the new password (or TACOS_NEW_PASSWORD)')
    .action(
      action<{ password?: string }>(io, async (ctx, opts, [username]) => {
        const password = opts.password ?? ctx.env.TACOS_NEW_PASSWORD;
        if (!password) throw usageError('missing --password', 'or set TACOS_NEW_PASSWORD');
        await ctx.client().updateUser(username!, password);
        ctx.out.result({ ok: true, action: 'updated', username }, `changed the password of ${username}`);
      }),
    );

  user
    .command('init-admin')
    .description("set the password of the first admin user 'nacos' on a new auth-enabled server (works once)")
    .option('--password <password>', 'the admin password (prefer TACOS_ADMIN_PASSWORD, --password-stdin or the prompt)')
    .option('--password-stdin', 'read the password from stdin')
    .action(
      action<{ password?: string; passwordStdin?: boolean }>(io, async (ctx, opts) => {
        const password = opts.passwordStdin
          ? (await readStdin()).replace(/\r?\n$/, '')
          : (opts.password ?? ctx.env.TACOS_ADMIN_PASSWORD ?? (await prompt("new password for the admin user 'nacos': ")));
        if (password === undefined || password === '') throw usageError('missing password', 'use --password-stdin, TACOS_ADMIN_PASSWORD or a terminal');
        try {
          await ctx.client().initAdmin(password);
        } catch (error) {
          if (error instanceof TacosHttpError) {
            throw new CliError('REFUSED', `init-admin refused (HTTP ${error.status}: ${error.body.trim()})`, {
              hint:
                error.status === 403 || error.status === 409
                  ? 'an admin already exists: log in with `tacos login --username nacos`'
                  : error.status === 404 || error.status === 501
                    ? 'this server does not run with --auth'
                    : undefined,
              cause: error,
            });
          }
          throw error;
        }
        ctx.out.result({ ok: true, action: 'created', username: 'nacos' }, "admin user 'nacos' created; log in with `tacos login --username nacos`");
      }),
    );

  const role = program.command('role').description('manage roles (auth)');
  paged(role.command('list').description('list role bindings').option('--username <name>', 'only this user')).action(
    action<PageOptions & { username?: string }>(io, async (ctx, opts) => {
      const page = await ctx.client().listRoles({ username: opts.username, pageNo: opts.page, pageSize: opts.size });
      ctx.out.data<RoleInfo>(
        page,
        [
          { header: 'ROLE', value: (r) => r.role },
          { header: 'USERNAME', value: (r) => r.username },
        ],
        page.pageItems ?? [],
      );
    }),
  );
  role
    .command('add')
    .description('bind a role to a user')
    .argument('<role>')
    .argument('<username>')
    .action(
      action(io, async (ctx, _opts, [name, username]) => {
        await ctx.client().createRole(name!, username!);
        ctx.out.result({ ok: true, action: 'created', role: name, username }, `bound role ${name} to ${username}`);
      }),
    );
  role
    .command('remove')
    .description('remove a role binding (or the whole role without a user)')
    .argument('<role>')
    .argument('[username]')
    .action(
      action(io, async (ctx, _opts, [name, username]) => {
        await ctx.client().deleteRole(name!, username);
        ctx.out.result({ ok: true, action: 'deleted', role: name, username }, `removed role ${name}${username ? ` from ${username}` : ''}`);
      }),
    );

  const permission = program.command('permission').description('manage permissions (auth)');
  paged(permission.command('list').description('list permissions').option('--role <role>', 'only this role')).action(
    action<PageOptions & { role?: string }>(io, async (ctx, opts) => {
      const page = await ctx.client().listPermissions({ role: opts.role, pageNo: opts.page, pageSize: opts.size });
      ctx.out.data<PermissionInfo>(
        page,
        [
          { header: 'ROLE', value: (p) => p.role },
          { header: 'RESOURCE', value: (p) => p.resource },
          { header: 'ACTION', value: (p) => p.action },
        ],
        page.pageItems ?? [],
      );
    }),
  );
  for (const [verb, description] of [
    ['add', 'grant a permission: ACTION is r, w or rw'],
    ['remove', 'revoke a permission'],
  ] as const) {
    permission
      .command(verb)
      .description(description)
      .argument('<role>')
      .argument('<resource>', 'namespace id or resource pattern')
      .argument('<action>', 'r, w or rw')
      .action(
        action(io, async (ctx, _opts, [name, resource, act]) => {
          if (!['r', 'w', 'rw'].includes(act!)) throw usageError(`bad action "${act}"`, 'use r, w or rw');
          const client = ctx.client();
          if (verb === 'add') await client.createPermission(name!, resource!, act!);
          else await client.deletePermission(name!, resource!, act!);
          ctx.out.result(
            { ok: true, action: verb === 'add' ? 'created' : 'deleted', role: name, resource, permission: act },
            `${verb === 'add' ? 'granted' : 'revoked'} ${act} on ${resource} ${verb === 'add' ? 'to' : 'from'} ${name}`,
          );
        }),
      );
  }
}
