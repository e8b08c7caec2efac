/**
 * @jest-environment jsdom
 */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { ApiError } from '../../../api/errors';
import { initI18n } from '../../../i18n/i18n';
import { localProblems, mergeRequest, Pair, splitProblems } from './decisions';
import { PairView } from './PairView';

// antd in jsdom on a shared machine is slow: time, not correctness.
jest.setTimeout(30_000);

const PAIR: Pair = {
  childId: 'a-1',
  otherChildId: 'b-2',
  communeCode: '00004',
  otherCommuneCode: '00004',
  probability: 0.97,
  decision: 'review',
  foundAt: '2026-12-01T08:00:00Z',
  record: {
    childId: 'a-1',
    revision: 4,
    fullName: 'Nguyễn Văn An',
    dateOfBirth: '2019-03-05',
    sex: 'M',
    communeCode: '00004',
    nationalIdState: 'none',
    circumstances: [],
  },
  other: {
    childId: 'b-2',
    revision: 7,
    fullName: 'Nguyễn Văn Ân',
    dateOfBirth: '2019-03-05',
    sex: 'M',
    communeCode: '00004',
    nationalIdState: 'none',
    circumstances: [2],
  },
  fields: [
    { field: 'name', level: 'similar', agrees: true, weight: 6.2 },
    { field: 'dateOfBirth', level: 'exact', agrees: true, weight: 8.1 },
    { field: 'mother', level: 'missing', agrees: null, weight: 0 },
  ],
};

describe('duplicates: the decisions on a pair', () => {
  it('merges the record not kept into the one kept, with the duplicate’s revision as If-Match', () => {
    expect(mergeRequest(PAIR, 'b-2', '  cùng giấy khai sinh ')).toEqual({
      childId: 'a-1',
      survivingChildId: 'b-2',
      reason: 'cùng giấy khai sinh',
      ifMatch: '"4"',
    });
    expect(mergeRequest(PAIR, 'a-1', 'cùng giấy khai sinh')).toMatchObject({ childId: 'b-2', survivingChildId: 'a-1', ifMatch: '"7"' });
    expect(() => mergeRequest(PAIR, 'c-3', 'x')).toThrow('survivingChildId');
  });

  it('asks for a record kept (merge only) and a reason of 3–500 characters', () => {
    expect(localProblems('merge', '', undefined).map((p) => p.field)).toEqual(['survivingChildId', 'reason']);
    expect(localProblems('notSame', 'ab', undefined).map((p) => p.field)).toEqual(['reason']);
    expect(localProblems('revert', 'x'.repeat(501), undefined).map((p) => p.field)).toEqual(['reason']);
    expect(localProblems('merge', 'hai lần đăng ký', 'a-1')).toEqual([]);
  });

  it('splits an API refusal into field problems and the rest, and knows a conflict', () => {
    const e = new ApiError(
      400,
      [
        { field: 'reason', rule: 'minLength', message: 'reason must be 3–500 characters' },
        { field: null, rule: 'x', message: 'other' },
      ],
      undefined,
      'Bad Request',
    );
    expect(splitProblems(e)).toEqual({ byField: { reason: ['reason must be 3–500 characters'] }, rest: 'other', conflict: false });
    expect(splitProblems(new ApiError(409, [], 'CONFLICT', 'revision changed')).conflict).toBe(true);
  });
});

describe('duplicates: the pair view', () => {
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

  function renderPair(decide: jest.Mock) {
    const i18n = jest.requireActual<typeof import('i18next')>('i18next').default;
    const onDone = jest.fn();
    render(
      <I18nextProvider i18n={i18n}>
        <PairView pair={PAIR} decide={decide} pending={false} onDone={onDone} onReload={jest.fn()} />
      </I18nextProvider>,
    );
    return onDone;
  }

  it('shows the two records field by field with the score and the agreement', () => {
    renderPair(jest.fn());
    expect(screen.getByText(/Xác suất trùng 0,97/)).toBeTruthy();
    expect(screen.getByText('Nguyễn Văn Ân')).toBeTruthy();
    expect(screen.getAllByText('05/03/2019')).toHaveLength(2);
    expect(screen.getAllByText('Khớp')).toHaveLength(2);
    expect(screen.getByText('Thiếu thông tin')).toBeTruthy();
    expect(screen.getByText('Trẻ em bị bỏ rơi')).toBeTruthy();
  });

  it('sends nothing and names the problems when no record is kept and no reason given', async () => {
    const decide = jest.fn();
    const onDone = renderPair(decide);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Gộp hồ sơ' })));
    expect(await screen.findByText('Chọn hồ sơ được giữ lại trước khi gộp.')).toBeTruthy();
    expect(screen.getByText('Lý do phải có từ 3 đến 500 ký tự.')).toBeTruthy();
    expect(decide).not.toHaveBeenCalled();
    expect(onDone).not.toHaveBeenCalled();
  });

  it('merges into the record chosen, then reports it done', async () => {
    const decide = jest.fn().mockResolvedValue({});
    const onDone = renderPair(decide);
    fireEvent.click(screen.getByLabelText('Giữ Hồ sơ 2'));
    fireEvent.change(screen.getByLabelText('Lý do'), { target: { value: 'Cùng một giấy khai sinh' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Gộp hồ sơ' })));
    expect(decide).toHaveBeenCalledWith({ kind: 'merge', survivingChildId: 'b-2' }, 'Cùng một giấy khai sinh');
    expect(onDone).toHaveBeenCalledWith('merged');
  });

  it('"not the same child" shows the API’s reason problem beside the input, and a conflict asks to reload', async () => {
    const decide = jest
      .fn()
      .mockRejectedValueOnce(new ApiError(400, [{ field: 'reason', rule: 'pii', message: 'reason must not hold personal data' }], undefined, 'Bad Request'))
      .mockRejectedValueOnce(new ApiError(409, [], 'CONFLICT', 'revision changed'));
    const onDone = renderPair(decide);
    fireEvent.change(screen.getByLabelText('Lý do'), { target: { value: 'Khác cha mẹ' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Không phải cùng một trẻ' })));
    expect(decide).toHaveBeenCalledWith({ kind: 'notSame' }, 'Khác cha mẹ');
    expect(await screen.findByText('reason must not hold personal data')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Không phải cùng một trẻ' })));
    expect(await screen.findByText('Hồ sơ đã thay đổi từ khi bạn mở. Hãy tải lại và xem lại trước khi quyết định.')).toBeTruthy();
    expect(onDone).not.toHaveBeenCalled();
  });
});
