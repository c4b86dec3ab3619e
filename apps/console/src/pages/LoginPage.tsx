import { type FormEvent, useState } from 'react';
import { login } from '../api/console-api';
import { ApiError } from '../api/http';
import { ErrorMessage } from '../components/ErrorMessage';
import { TitledError } from '../lib/errors';
import { type StoredToken, saveToken } from '../lib/token-store';

/** The login form (`POST /v1/auth/users/login`); stores the token for this tab and reports the login. */
export function LoginPage({ reason, onLoggedIn }: { reason: string | undefined; onLoggedIn: (token: StoredToken) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await login(username.trim(), password);
      if (!result.accessToken) throw new Error('the server answered without an access token');
      onLoggedIn(saveToken(result, username.trim()));
    } catch (failure) {
      setError(
        failure instanceof ApiError && (failure.status === 403 || failure.status === 401)
          ? new TitledError('Wrong username or password', `The server answered: ${failure.message}`, { cause: failure })
          : failure,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit}>
        <h1>Tacos</h1>
        <p className="muted">Sign in to manage the registry.</p>
        {reason && <p className="notice">{reason}</p>}
        <div className="field">
          <label htmlFor="login-user">Username</label>
          <input id="login-user" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="login-pass">Password</label>
          <input id="login-pass" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy || username.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
