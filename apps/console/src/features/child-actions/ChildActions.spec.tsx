/**
 * @jest-environment jsdom
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from 'antd';
import { I18nextProvider } from 'react-i18next';
import { initI18n } from '../../i18n/i18n';
import { ACTION_FIELDS, actionRequest, validateAction } from './child-actions';

// The API client is replaced by a recorder: what the form sends and how it shows the answer is under test.
const calls: { path: string; init: { params: { header: Record<string, string>; path: Record<string, unknown> }; body: unknown } }[] = [];
let answer: { data?: unknown; error?: unknown; response: { ok: boolean; status: number } } = { data: {}, response: { ok: true, status: 200 } };
jest.mock('../../api/ApiProvider', () => ({
  useApi: () => ({
    registry: {
      POST: (path: string, init: (typeof calls)[number]['init']) => {
        calls.push({ path, init });
        return Promise.resolve(answer);
      },
      GET: () => Promise.resolve({ data: { units: [] }, response: { ok: true, status: 200 } }),
    },
  }),
}));
jest.mock('../../auth/auth', () => ({ useAuth: () => ({ user: { name: 'x', role: 'data_officer', provinces: ['01'], communes: ['00004'] } }) }));

import { ChildActions } from './ChildActions';

const TODAY = '2026-12-02';
// antd in jsdom on a shared machine is slow to render a modal: time, not correctness.
jest.setTimeout(30_000);

describe('child action forms: validation', () => {
  it('a correction needs a change and a reason', () => {
    expect(validateAction('correct', {}, TODAY).map((p) => [p.field, p.rule])).toEqual([
      ['changes', 'NOTHING_TO_CHANGE'],
      ['reason', 'MISSING_REASON'],
    ]);
    expect(validateAction('correct', { changes: { fullName: 'Nguyễn Thị Hà' }, reason: 'Giấy khai sinh ghi khác' }, TODAY)).toEqual([]);
    expect(validateAction('correct', { changes: { personalId: '123' }, reason: 'r' }, TODAY)).toEqual([
      { field: 'changes.personalId', rule: 'INVALID_PERSONAL_ID', personalIdProblem: 'LENGTH_OR_DIGITS' },
    ]);
  });

  it('a move needs a commune and a date not in the future', () => {
    expect(validateAction('move', { date: '2026-12-03' }, TODAY).map((p) => [p.field, p.rule])).toEqual([
      ['effectiveFrom', 'DATE_IN_FUTURE'],
      ['communeCode', 'required'],
    ]);
    expect(validateAction('move', { date: '2026-01-01', communeCode: '00004' }, TODAY)).toEqual([]);
  });

  it('circumstances and risks need one of the 14 groups; resolving a risk needs its outcome', () => {
    expect(validateAction('identifyCircumstance', { date: TODAY, group: 15 }, TODAY)).toEqual([{ field: 'group', rule: 'required' }]);
    expect(validateAction('endCircumstance', { date: TODAY, group: 4 }, TODAY)).toEqual([]);
    expect(validateAction('resolveRisk', { date: TODAY, group: 9 }, TODAY)).toEqual([{ field: 'outcome', rule: 'required' }]);
    expect(validateAction('identifyRisk', {}, TODAY).map((p) => p.field)).toEqual(['effectiveFrom', 'group']);
  });

  it('builds each request with only what was given', () => {
    expect(actionRequest('correct', { changes: { fullName: ' Hà ', personalId: '0013 16012345', notes: '' }, reason: ' Sai chính tả ' })).toEqual({
      action: 'correct',
      body: { changes: { fullName: 'Hà', personalId: '001316012345' }, reason: 'Sai chính tả' },
    });
    expect(actionRequest('endCircumstance', { date: TODAY, group: 4, reason: '' })).toEqual({
      action: 'endCircumstance',
      group: 4,
      body: { effectiveTo: TODAY },
    });
    expect(ACTION_FIELDS.resolveRisk).toContain('outcome');
  });
});

describe(ChildActions.name, () => {
  beforeAll(async () => {
    // What jsdom lacks and antd uses.
    class Port {
      onmessage: ((e: { data: unknown }) => void) | null = null;
      other?: Port;
      postMessage(data: unknown) {
        setTimeout(() => this.other?.onmessage?.({ data }), 0);
      }
      close = () => undefined;
    }
    Object.assign(globalThis, {
      MessageChannel: class {
        port1 = new Port();
        port2 = new Port();
        constructor() {
          this.port1.other = this.port2;
          this.port2.other = this.port1;
        }
      },
      ResizeObserver: class {
        observe = () => undefined;
        unobserve = () => undefined;
        disconnect = () => undefined;
      },
    });
    Object.defineProperty(window, 'matchMedia', {
      value: () => ({
        matches: false,
        addListener: () => undefined,
        removeListener: () => undefined,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      }),
    });
    await initI18n('vi');
  });
  beforeEach(() => {
    calls.length = 0;
  });

  function renderActions(onWritten = jest.fn()) {
    const i18n = jest.requireActual<typeof import('i18next')>('i18next').default;
    render(
      <I18nextProvider i18n={i18n}>
        <QueryClientProvider client={new QueryClient()}>
          <App>
            <ChildActions childId="c-1" revision={3} onWritten={onWritten} />
          </App>
        </QueryClientProvider>
      </I18nextProvider>,
    );
    return onWritten;
  }

  it('shows the problems beside the inputs and sends nothing when the correction is empty', async () => {
    renderActions();
    fireEvent.click(screen.getByRole('button', { name: 'Đính chính thông tin' }));
    const dialog = await screen.findByRole('dialog');
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: /Lưu/ })));
    expect(await within(dialog).findByText('Cần ghi lý do.')).toBeTruthy();
    expect(within(dialog).getByText('Thông tin mới giống hệt hồ sơ: không có gì để đính chính.')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('sends a correction with If-Match and an Idempotency-Key, shows the API\u2019s field problem beside its input, then succeeds with the same key', async () => {
    const onWritten = renderActions();
    fireEvent.click(screen.getByRole('button', { name: 'Đính chính thông tin' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Số định danh cá nhân đúng'), { target: { value: '001185012345' } });
    fireEvent.change(within(dialog).getByLabelText(/Lý do đính chính/), { target: { value: 'Nhập nhầm số của mẹ' } });
    answer = {
      error: { statusCode: 422, code: 'INVALID_PERSONAL_ID', errors: [{ field: 'changes.personalId', rule: 'INVALID_PERSONAL_ID', message: 'x' }] },
      response: { ok: false, status: 422 },
    };
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: /Lưu/ })));
    expect(await within(dialog).findByText('Số định danh cá nhân không hợp lệ hoặc không khớp với ngày sinh, giới tính.')).toBeTruthy();
    expect(calls[0]!.path).toBe('/api/v1/children/{childId}/corrections');
    expect(calls[0]!.init.params.header['If-Match']).toBe('"3"');
    expect(calls[0]!.init.body).toEqual({ changes: { personalId: '001185012345' }, reason: 'Nhập nhầm số của mẹ' });
    expect(onWritten).not.toHaveBeenCalled();

    answer = { data: { id: 'c-1', revision: 4 }, response: { ok: true, status: 200 } };
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: /Lưu/ })));
    await waitFor(() => expect(onWritten).toHaveBeenCalledTimes(1));
    // Same content again: the same key, so a retry after a lost answer writes nothing twice.
    expect(calls[1]!.init.params.header['Idempotency-Key']).toBe(calls[0]!.init.params.header['Idempotency-Key']);
  });
});
