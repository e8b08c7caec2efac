import type { Widen } from '../../i18n/widen';

// This feature's strings (the `import` section of every language). Vietnamese first; English must have every key.
export const vi = {
  import: {
    title: 'Nhập dữ liệu',
    intro: 'Nhập danh sách trẻ em của xã, phường từ tệp CSV hoặc XLSX.',
  },
} as const;

export const en: Widen<typeof vi> = {
  import: {
    title: 'Import',
    intro: 'Import a commune’s list of children from a CSV or XLSX file.',
  },
};
