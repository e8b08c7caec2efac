import type { Widen } from '../../i18n/widen';

// This feature's strings (the `cases` section of every language). Vietnamese first; English must have every key.
export const vi = {
  cases: {
    title: 'Danh sách vụ việc',
    intro: 'Các vụ việc được giao cho bạn và các vụ việc chưa có người phụ trách trong địa bàn, quá hạn và sắp đến hạn trước.',
  },
} as const;

export const en: Widen<typeof vi> = {
  cases: {
    title: 'Cases',
    intro: 'Cases assigned to you and cases in your area without an owner, overdue and due soon first.',
  },
};
