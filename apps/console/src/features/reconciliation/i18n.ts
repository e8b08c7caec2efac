import type { Widen } from '../../i18n/widen';

// This feature's strings (the `reconciliation` section of every language). Vietnamese first; English must have every key.
export const vi = {
  reconciliation: {
    title: 'Đối soát',
    intro: 'Đối soát hồ sơ trẻ em với Cơ sở dữ liệu quốc gia về dân cư: xem xét, liên kết.',
  },
} as const;

export const en: Widen<typeof vi> = {
  reconciliation: {
    title: 'Reconciliation',
    intro: 'Reconcile children’s records with the national population database: review, link.',
  },
};
