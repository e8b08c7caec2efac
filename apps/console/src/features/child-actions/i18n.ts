import type { Widen } from '../../i18n/widen';

// The strings of the actions on a child's record (correct, move, circumstances, risks).
export const vi = {
  childActions: {
    title: 'Cập nhật hồ sơ',
  },
} as const;

export const en: Widen<typeof vi> = {
  childActions: {
    title: 'Update the record',
  },
};
