import { Resources, tKey } from '../i18n/resources';
import type { Role } from '../auth/session-user';

export interface MenuEntry {
  path: string;
  label: `menu.${keyof Resources['menu']}`;
}

/** Each role's screens, in the order of their day's work. The API decides what is allowed; this only arranges. */
export const MENU: Record<Role, MenuEntry[]> = {
  data_officer: [
    { path: '/children', label: tKey('menu.findChild') },
    { path: '/register', label: tKey('menu.register') },
    { path: '/imports', label: tKey('menu.import') },
    { path: '/reconciliation', label: tKey('menu.reconciliation') },
    { path: '/dashboard', label: tKey('menu.dashboard') },
  ],
  case_worker: [{ path: '/cases', label: tKey('menu.cases') }],
  inspector: [
    { path: '/dashboard', label: tKey('menu.dashboard') },
    { path: '/inspection', label: tKey('menu.inspection') },
  ],
  admin: [
    { path: '/dashboard', label: tKey('menu.dashboard') },
    { path: '/inspection', label: tKey('menu.inspection') },
    { path: '/admin', label: tKey('menu.admin') },
  ],
};
