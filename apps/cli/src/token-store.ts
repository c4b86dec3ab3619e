import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A stored login for one server address. */
export interface StoredToken {
  accessToken: string;
  username: string;
  /** Epoch ms after which the server will refuse the token. */
  expiresAt: number;
  globalAdmin?: boolean;
}

interface CredentialsFile {
  tokens: Record<string, StoredToken>;
}

/**
 * The directory holding the CLI's files: `$XDG_CONFIG_HOME/tacos` when XDG_CONFIG_HOME is set to an
 * absolute path, else `~/.config/tacos`. `env` defaults to `process.env`.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'tacos');
  return join(env.HOME ?? homedir(), '.config', 'tacos');
}

/** The credentials file: `<configDir>/credentials.json`, mode 0600 in a 0700 directory. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'credentials.json');
}

/**
 * Stores tokens per server address (as normalized by the client, e.g. `http://127.0.0.1:8848`) in
 * {@link credentialsPath}. Writes go to a temp file created with mode 0600 that is then renamed over
 * the file, so the token is never readable by others, even briefly. A missing or unreadable file reads
 * as empty. Not safe against concurrent writers (last writer wins).
 */
export class TokenStore {
  constructor(private readonly path: string = credentialsPath()) {}

  /** The file this store uses. */
  get file(): string {
    return this.path;
  }

  /** The token stored for the first of `servers` that has one and has not expired, if any. */
  find(servers: readonly string[], now = Date.now()): StoredToken | undefined {
    const tokens = this.read().tokens;
    for (const server of servers) {
      const token = tokens[server];
      if (token && token.expiresAt > now) return token;
    }
    return undefined;
  }

  /** Stores `token` for every address in `servers` (they are one cluster). */
  save(servers: readonly string[], token: StoredToken): void {
    const file = this.read();
    for (const server of servers) file.tokens[server] = token;
    this.write(file);
  }

  /** Removes the tokens of `servers`; returns how many were removed. */
  remove(servers: readonly string[]): number {
    const file = this.read();
    let removed = 0;
    for (const server of servers) {
      if (file.tokens[server]) {
        delete file.tokens[server];
        removed++;
      }
    }
    if (removed > 0) this.write(file);
    return removed;
  }

  private read(): CredentialsFile {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CredentialsFile>;
      return { tokens: typeof parsed.tokens === 'object' && parsed.tokens !== null ? parsed.tokens : {} };
    } catch {
      return { tokens: {} };
    }
  }

  private write(file: CredentialsFile): void {
    const dir = join(this.path, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      // The mode passed to writeFileSync is masked by the umask; make sure it is exactly 0600.
      chmodSync(temp, 0o600);
      renameSync(temp, this.path);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}
