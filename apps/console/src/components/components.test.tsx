import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { ApiError } from '../api/http';
import { ErrorMessage } from './ErrorMessage';
import { HealthSummary } from './HealthSummary';
import { MetadataEditor } from './MetadataEditor';
import { Pager } from './Pager';

describe('ErrorMessage', () => {
  test("shows the server's message in place, with a retry button when given", () => {
    const retry = jest.fn();
    render(<ErrorMessage error={new ApiError({ status: 400, message: 'instance not found', path: '/v1/ns/instance', method: 'PATCH' })} onRetry={retry} />);
    expect(screen.getByRole('alert').textContent).toContain('The server refused the request');
    expect(screen.getByText('instance not found')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  test('renders nothing without an error', () => {
    const { container } = render(<ErrorMessage error={undefined} />);
    expect(container.innerHTML).toBe('');
  });
});

function EditorHost() {
  const [text, setText] = useState('');
  return <MetadataEditor value={text} onChange={setText} />;
}

describe('MetadataEditor', () => {
  test('counts keys as you type and shows parse errors', () => {
    render(<EditorHost />);
    const box = screen.getByLabelText('Metadata');
    expect(screen.getByText('no metadata')).toBeTruthy();
    fireEvent.change(box, { target: { value: 'zone=a\nversion=2' } });
    expect(screen.getByText('2 keys')).toBeTruthy();
    expect(box.getAttribute('aria-invalid')).toBe('false');
    fireEvent.change(box, { target: { value: 'zone' } });
    expect(screen.getByRole('alert').textContent).toBe('"zone" is not key=value (entry 1)');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(box, { target: { value: '{"a":"1"}' } });
    expect(screen.getByText('1 key')).toBeTruthy();
  });
});

describe('HealthSummary', () => {
  test('shows healthy/total, unhealthy and offline counts', () => {
    render(<HealthSummary instances={[{ healthy: true, enabled: true }, { healthy: false, enabled: true }, { healthy: true, enabled: false }]} protectThreshold={0} />);
    expect(screen.getByText('2/3')).toBeTruthy();
    expect(screen.getByText('1 unhealthy')).toBeTruthy();
    expect(screen.getByText('1 offline')).toBeTruthy();
    expect(screen.queryByText('protection on')).toBeNull();
  });

  test('shows the protection badge at the threshold, and an empty state', () => {
    const { rerender } = render(<HealthSummary instances={[{ healthy: false, enabled: true }]} protectThreshold={0} />);
    expect(screen.getByText('protection on')).toBeTruthy();
    rerender(<HealthSummary instances={[]} protectThreshold={0.5} />);
    expect(screen.getByText('no instances')).toBeTruthy();
  });
});

describe('Pager', () => {
  test('moves between pages and disables the ends', () => {
    const onPage = jest.fn();
    render(<Pager pageNo={1} pageSize={20} total={10_000} onPage={onPage} />);
    expect(screen.getByText('1–20 of 10,000')).toBeTruthy();
    expect(screen.getByText('1 / 500')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous page' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    fireEvent.click(screen.getByRole('button', { name: 'Last page' }));
    expect(onPage.mock.calls).toEqual([[2], [500]]);
  });
});
