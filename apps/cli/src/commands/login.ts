import { createInterface } from 'node:readline';
import { TacosHttpError } from '@tacos/client';
import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error';
import { action, type Io } from '../context';

interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

/**
 * `tacos login` / `tacos logout`: logs in with `POST /auth/users/login` and stores the token for the
 * configured servers in `$XDG_CONFIG_HOME/tacos/credentials.json` (or `~/.config/tacos/…`), mode 0600.
 * Later commands send it as `accessToken`. The password comes from `--password`, `TACOS_PASSWORD`,
 * `--password-stdin`, or a prompt on a terminal.
 */
export function registerLoginCommands(program: Command, io: Io): void {
  program
    .command('login')
    .description('log in and store the access token (mode 0600 in the user config dir)')
    .option('--username <name>', 'user name (default: TACOS_USERNAME)')
    .option('--password <password>', 'password (prefer TACOS_PASSWORD or --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .action(
      action<LoginOptions>(io, async (ctx, opts) => {
        const username = opts.username ?? ctx.env.TACOS_USERNAME;
        if (!username) throw usageError('missing --username', 'or set TACOS_USERNAME');
        const password = opts.passwordStdin
          ? (await readStdin()).replace(/\r?\n$/, '')
          : (opts.password ?? ctx.env.TACOS_PASSWORD ?? (await prompt(`password for ${username}: `)));
        if (password === undefined || password === '') throw usageError('missing password', 'use --password-stdin or TACOS_PASSWORD');
        const client = ctx.client();
        let result: Awaited<ReturnType<typeof client.login>>;
        try {
          result = await client.login(username, password);
        } catch (error) {
          if (error instanceof TacosHttpError && (error.status === 404 || error.status === 501)) {
            throw new CliError('REFUSED', `this server does not support login (HTTP ${error.status}: ${error.body.trim()})`, {
              hint: 'auth is not enabled on this server; commands work without a token',
              cause: error,
            });
          }
          throw error;
        }
        if (typeof result.accessToken !== 'string' || result.accessToken === '') {
          throw new CliError('REFUSED', 'the server answered the login without an accessToken');
        }
        const store = ctx.tokenStore();
        const ttl = Number.isFinite(result.tokenTtl) && result.tokenTtl > 0 ? result.tokenTtl : 18000;
        store.save(client.servers, {
          accessToken: result.accessToken,
          username,
          expiresAt: Date.now() + ttl * 1000,
          globalAdmin: result.globalAdmin,
        });
        ctx.out.result(
          { ok: true, action: 'login', username, tokenTtl: ttl, globalAdmin: result.globalAdmin === true, file: store.file },
          `logged in as ${username}; token stored in ${store.file} (valid ${ttl} s)`,
        );
      }),
    );

  program
    .command('logout')
    .description('forget the stored token of the configured servers')
    .action(
      action(io, async (ctx) => {
        const removed = ctx.tokenStore().remove(ctx.servers());
        ctx.out.result({ ok: true, action: 'logout', removed }, removed > 0 ? 'logged out' : 'no stored token for these servers');
      }),
    );
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
    });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

/** Asks on the terminal without echoing; undefined when stdin is not a terminal. */
export function prompt(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput?: (text: string) => void };
    process.stderr.write(question);
    output._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
