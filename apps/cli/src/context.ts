import { parseServerList, TacosClient } from '@tacos/client';
import type { Command } from 'commander';
import { usageError } from './cli-error';
import { OUTPUT_FORMATS, Output, type OutputFormat, type Sink } from './output';
import { credentialsPath, TokenStore } from './token-store';

/** The server used when neither `--server` nor `TACOS_SERVER` is given. */
export const DEFAULT_SERVER = '127.0.0.1:8848';

/** The global options every command accepts (commander's names). */
export interface GlobalOptions {
  server?: string;
  namespace?: string;
  group?: string;
  output?: string;
  quiet?: boolean;
  color?: boolean;
  timeout?: number;
}

/** The process's streams and environment, injectable so tests and `main` agree on one path. */
export interface Io {
  stdout: Sink;
  stderr: Sink;
  env: NodeJS.ProcessEnv;
}

/**
 * What a command needs besides its own options: the output, the server list, the namespace and group
 * defaults, and a client built lazily from them (with the stored token for those servers, if any).
 * Built once per invocation from the global options.
 */
export class Context {
  readonly out: Output;
  readonly options: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  private cachedClient: TacosClient | undefined;

  constructor(options: GlobalOptions, io: Io) {
    this.options = options;
    this.env = io.env;
    const format = (options.output ?? 'table') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
      throw usageError(`unknown --output format "${options.output}"`, `use one of ${OUTPUT_FORMATS.join(', ')}`);
    }
    const color = options.color !== false && !('NO_COLOR' in io.env) && (io.stdout.isTTY === true || io.env.FORCE_COLOR === '1');
    this.out = new Output({ format, quiet: options.quiet === true, color, stdout: io.stdout, stderr: io.stderr });
  }

  /** The server addresses, normalized (`--server`, else `TACOS_SERVER`, else 127.0.0.1:8848). */
  servers(): string[] {
    const text = this.options.server ?? this.env.TACOS_SERVER ?? DEFAULT_SERVER;
    try {
      return parseServerList(text);
    } catch (error) {
      throw usageError((error as Error).message, 'use --server host:port[,host:port] or TACOS_SERVER');
    }
  }

  /** `--namespace` (else `TACOS_NAMESPACE`), or undefined for the server default `public`. */
  get namespaceId(): string | undefined {
    return this.options.namespace ?? this.env.TACOS_NAMESPACE;
  }

  /** `--group` (else `TACOS_GROUP`), or undefined for the server default `DEFAULT_GROUP`. */
  get groupName(): string | undefined {
    return this.options.group ?? this.env.TACOS_GROUP;
  }

  /** The token store (in `$XDG_CONFIG_HOME/tacos` or `~/.config/tacos`). */
  tokenStore(): TokenStore {
    return new TokenStore(credentialsPath(this.env));
  }

  /** The client for the configured servers, with the stored token when there is one. */
  client(): TacosClient {
    if (!this.cachedClient) {
      const servers = this.servers();
      const token = this.env.TACOS_TOKEN ?? this.tokenStore().find(servers)?.accessToken;
      this.cachedClient = new TacosClient({
        servers,
        namespaceId: this.namespaceId,
        timeoutMs: this.options.timeout,
        token,
      });
    }
    return this.cachedClient;
  }

  /** A client for one other address (e.g. each member in `cluster status`), same token and timeout. */
  clientFor(server: string): TacosClient {
    return new TacosClient({
      servers: server,
      namespaceId: this.namespaceId,
      timeoutMs: this.options.timeout,
      token: this.env.TACOS_TOKEN ?? this.tokenStore().find(parseServerList(server))?.accessToken,
    });
  }
}

/** A command body: gets the context, the command's own options and its positional arguments. */
export type Handler<O> = (ctx: Context, opts: O, args: string[]) => Promise<void>;

/**
 * Adapts a {@link Handler} to commander's action signature: builds the {@link Context} from the
 * command's options merged with the global ones. Errors propagate to `main`, which maps them to exit
 * codes.
 */
export function action<O>(io: Io, handler: Handler<O>): (...params: unknown[]) => Promise<void> {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const opts = command.optsWithGlobals<GlobalOptions & O>();
    const args = (command.processedArgs as unknown[]).filter((arg): arg is string => typeof arg === 'string');
    await handler(new Context(opts, io), opts, args);
  };
}
