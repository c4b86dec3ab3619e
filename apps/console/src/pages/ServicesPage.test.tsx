import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as api from '../api/console-api';
import { AppContext, type AppState } from '../app-context';
import { ServicesPage } from './ServicesPage';

jest.mock('../api/console-api');
const listServices = api.listServices as jest.MockedFunction<typeof api.listServices>;

const app: AppState = {
  namespaceId: 'dev',
  setNamespaceId: () => undefined,
  namespaces: [],
  reloadNamespaces: async () => undefined,
  authEnabled: false,
  username: undefined,
  globalAdmin: false,
  notify: () => undefined,
};

function renderPage() {
  return render(
    <AppContext.Provider value={app}>
      <ServicesPage />
    </AppContext.Provider>,
  );
}

beforeEach(() => listServices.mockReset());

test('rows show counts, a protection badge, and paging over a large total', async () => {
  listServices.mockResolvedValue({
    count: 10_000,
    serviceList: [
      { name: 'orders', groupName: 'DEFAULT_GROUP', clusterCount: 2, ipCount: 4, healthyInstanceCount: 0, triggerFlag: 'true' },
      { name: 'users', groupName: 'G1', clusterCount: 1, ipCount: 3, healthyInstanceCount: 3, triggerFlag: 'false' },
    ],
  });
  renderPage();
  expect(await screen.findByText('orders')).toBeTruthy();
  expect(screen.getAllByText('threshold reached')).toHaveLength(1);
  expect(screen.getByText('0/4')).toBeTruthy();
  expect(await screen.findByText('1–20 of 10,000')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
  await waitFor(() => expect(listServices).toHaveBeenLastCalledWith(expect.objectContaining({ namespaceId: 'dev', pageNo: 2, pageSize: 20 }), expect.anything()));
});

test('typing a name filter asks the server for page 1 with that filter (debounced)', async () => {
  listServices.mockResolvedValue({ count: 100, serviceList: [] });
  renderPage();
  await screen.findByText('1–20 of 100');
  fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
  await waitFor(() => expect(listServices).toHaveBeenLastCalledWith(expect.objectContaining({ pageNo: 2 }), expect.anything()));
  fireEvent.change(screen.getByLabelText('Service name'), { target: { value: 'ord' } });
  fireEvent.click(screen.getByLabelText('Hide empty services'));
  await waitFor(() =>
    expect(listServices).toHaveBeenLastCalledWith(expect.objectContaining({ serviceNameParam: 'ord', hasIpCount: true, pageNo: 1 }), expect.anything()),
  );
  expect(await screen.findByText('No service matches these filters')).toBeTruthy();
});

test('a server error is shown in place with a retry', async () => {
  const { ApiError } = jest.requireActual('../api/http') as typeof import('../api/http');
  listServices.mockRejectedValue(new ApiError({ status: 503, message: 'server is DOWN now, please try again later!', path: '/v1/ns/catalog/services', method: 'GET' }));
  renderPage();
  expect((await screen.findByRole('alert')).textContent).toContain('server is DOWN now');
  listServices.mockResolvedValue({ count: 0, serviceList: [] });
  fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
  expect(await screen.findByText('No services in this namespace yet')).toBeTruthy();
});
