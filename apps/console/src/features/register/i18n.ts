import type { Widen } from '../../i18n/widen';

// This feature's strings (the `register` section of every language). Vietnamese first; English must have every key.
export const vi = {
  register: {
    title: 'Đăng ký trẻ em',
    intro: 'Đăng ký một trẻ em vào sổ theo dõi của xã, phường.',
  },
} as const;

export const en: Widen<typeof vi> = {
  register: {
    title: 'Register a child',
    intro: 'Register a child in the commune’s records.',
  },
};
