import type { Resources } from './resources';
import * as terms from './terms';
import * as children from '../features/children/i18n';
import * as register from '../features/register/i18n';
import * as imports from '../features/imports/i18n';
import * as reconciliation from '../features/reconciliation/i18n';
import * as cases from '../features/cases/i18n';
import * as childActions from '../features/child-actions/i18n';
import * as dashboard from '../features/dashboard/i18n';
import * as inspection from '../features/inspection/i18n';
import * as admin from '../features/admin/i18n';

// English: the console's second language; same keys as Vietnamese (the type and a test check it).
export const en: Resources = {
  app: {
    name: 'ChildLedger',
    tagline: 'Child protection data system',
    loading: 'Loading…',
    skipToContent: 'Skip to main content',
  },
  signIn: {
    title: 'Sign in',
    intro: 'For child protection staff. Sign in with your unit’s account.',
    button: 'Sign in',
    inProgress: 'Signing in…',
    failed: 'Could not sign in. Please try again.',
    retry: 'Try again',
    signedOut: 'You have signed out.',
  },
  shell: {
    mainMenu: 'Main menu',
    openMenu: 'Open menu',
    signOut: 'Sign out',
    user: 'User',
    switchLanguage: 'Language',
  },
  language: {
    vi: 'Tiếng Việt',
    en: 'English',
  },
  role: {
    data_officer: 'Data officer',
    case_worker: 'Case worker',
    inspector: 'Inspector',
    admin: 'Administrator',
    system: 'System (automatic)',
  },
  unit: {
    communes: 'Commune {{codes}}',
    provinces: 'Province {{codes}}',
    everywhere: 'Nationwide',
  },
  menu: {
    findChild: 'Find a child',
    register: 'Register',
    import: 'Import',
    reconciliation: 'Reconciliation',
    cases: 'Cases',
    dashboard: 'Programme targets',
    inspection: 'Inspection',
    admin: 'Administration',
  },
  purposeGate: {
    title: 'Purpose of access',
    intro: 'A child’s personal data is shown only for a purpose. Choose yours; it is recorded with every view.',
    show: 'Show the data',
  },
  page: {
    comingSoon: 'This screen is being built.',
    notFound: 'Page not found.',
    backHome: 'Back to the start page',
    noScreens: 'There is no screen for your role yet.',
  },
  ...terms.en,
  ...children.en,
  ...register.en,
  ...imports.en,
  ...reconciliation.en,
  ...cases.en,
  ...childActions.en,
  ...dashboard.en,
  ...inspection.en,
  ...admin.en,
};
