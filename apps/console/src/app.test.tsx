import { act, fireEvent, render, screen } from '@testing-library/react';
import * as api from './api/console-api';
import { ApiError, notifyAuthRequired } from './api/http';
import { App } from './app';
import { readToken, saveToken } from './lib/token-store';

jest.mock('./api/console-api');
const mocked = api as jest.Mocked<typeof api>;

beforeEach(() => {
  sessionStorage.clear();
  window.location.hash = '';
  jest.resetAllMocks();
  mocked.listNamespaces.mockResolvedValue([{ namespace: '', namespaceShowName: 'public', type: 0 }]);
  mocked.listServices.mockResolvedValue({ count: 0, serviceList: [] });
});

test('auth off: the console opens on the service list with no login and no user menu', async () => {
  mocked.getServerState.mockResolvedValue({ standalone_mode: 'standalone' });
  render(<App />);
  expect(await screen.findByText('No services in this namespace yet')).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Log out' })).toBeNull();
  expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
});

test('auth on and no token: the login page comes first', async () => {
  mocked.getServerState.mockResolvedValue({ auth_enabled: true });
  render(<App />);
  expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  expect(mocked.listServices).not.toHaveBeenCalled();
});

test('a server that answers 403 "unknown user!" without a token also gets the login page', async () => {
  mocked.getServerState.mockRejectedValue(new ApiError({ status: 403, message: 'unknown user!', path: '/v1/console/server/state', method: 'GET' }));
  render(<App />);
  expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
});

test('logged in: the user menu and auth pages show; an expired token goes back to login; logout forgets the token', async () => {
  mocked.getServerState.mockResolvedValue({ auth_enabled: 'true' });
  saveToken({ accessToken: 'jwt', tokenTtl: 3600, globalAdmin: true }, 'admin');
  render(<App />);
  expect(await screen.findByText('admin')).toBeTruthy();
  expect(screen.getByRole('link', { name: 'Users' })).toBeTruthy();

  act(() => notifyAuthRequired('token expired!'));
  expect(await screen.findByText('token expired!')).toBeTruthy();
  expect(readToken()).toBeUndefined();

  mocked.login.mockResolvedValue({ accessToken: 'jwt2', tokenTtl: 3600, globalAdmin: false });
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'ops' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('ops')).toBeTruthy();

  fireEvent.click(screen.getByRole('button', { name: 'Log out' }));
  expect(await screen.findByText('You have logged out.')).toBeTruthy();
  expect(readToken()).toBeUndefined();
});

test('a token that expires while the page is open goes back to login by itself', async () => {
  jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  try {
    mocked.getServerState.mockResolvedValue({ auth_enabled: true });
    saveToken({ accessToken: 'jwt', tokenTtl: 60, globalAdmin: false }, 'ops');
    render(<App />);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10);
    });
    expect(screen.getByText('ops')).toBeTruthy();
    await act(async () => {
      await jest.advanceTimersByTimeAsync(61_000);
    });
    expect(screen.getByText('Your session expired. Please log in again.')).toBeTruthy();
    expect(readToken()).toBeUndefined();
  } finally {
    jest.useRealTimers();
  }
});
