import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as api from '../api/console-api';
import { ApiError } from '../api/http';
import { readToken } from '../lib/token-store';
import { LoginPage } from './LoginPage';

jest.mock('../api/console-api');
const login = api.login as jest.MockedFunction<typeof api.login>;

beforeEach(() => {
  sessionStorage.clear();
  login.mockReset();
});

function fill(username: string, password: string) {
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

test('a successful login stores the token for this tab and reports it', async () => {
  login.mockResolvedValue({ accessToken: 'jwt-1', tokenTtl: 18000, globalAdmin: true });
  const onLoggedIn = jest.fn();
  render(<LoginPage reason="token expired!" onLoggedIn={onLoggedIn} />);
  expect(screen.getByText('token expired!')).toBeTruthy();
  fill(' admin ', 'secret');
  await waitFor(() => expect(onLoggedIn).toHaveBeenCalledTimes(1));
  expect(login).toHaveBeenCalledWith('admin', 'secret');
  expect(readToken()).toMatchObject({ accessToken: 'jwt-1', username: 'admin', globalAdmin: true });
  expect(onLoggedIn.mock.calls[0][0]).toMatchObject({ accessToken: 'jwt-1' });
});

test('wrong credentials show the server message in place and store nothing', async () => {
  login.mockRejectedValue(new ApiError({ status: 403, message: 'unknown user!', path: '/v1/auth/users/login', method: 'POST' }));
  const onLoggedIn = jest.fn();
  render(<LoginPage reason="" onLoggedIn={onLoggedIn} />);
  fill('admin', 'nope');
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Wrong username or password');
  expect(alert.textContent).toContain('The server answered: unknown user!');
  expect(onLoggedIn).not.toHaveBeenCalled();
  expect(readToken()).toBeUndefined();
});

test('an answer without a token is an error, not a login', async () => {
  login.mockResolvedValue({ accessToken: '', tokenTtl: 0, globalAdmin: false });
  const onLoggedIn = jest.fn();
  render(<LoginPage reason={undefined} onLoggedIn={onLoggedIn} />);
  fill('u', 'p');
  expect((await screen.findByRole('alert')).textContent).toContain('without an access token');
  expect(onLoggedIn).not.toHaveBeenCalled();
});
