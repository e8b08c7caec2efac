import type { Widen } from '../../i18n/widen';

// This feature's strings (the `findChild` section of every language). Vietnamese first; English must have every key.
export const vi = {
  findChild: {
    title: 'Tìm trẻ em',
    intro: 'Tìm trẻ em trong địa bàn của bạn theo họ tên, ngày sinh, xã, phường hoặc số định danh cá nhân.',
  },
} as const;

export const en: Widen<typeof vi> = {
  findChild: {
    title: 'Find a child',
    intro: 'Find a child in your area by name, date of birth, commune or personal identification number.',
  },
};
