import type { Resources } from './resources';

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
  },
  page: {
    comingSoon: 'This screen is being built.',
    notFound: 'Page not found.',
    backHome: 'Back to the start page',
    noScreens: 'There is no screen for your role yet.',
  },
  findChild: {
    title: 'Find a child',
    intro: 'Find a child in your area by name, date of birth, commune or personal identification number.',
  },
  register: {
    title: 'Register a child',
    intro: 'Register a child in the commune’s records.',
  },
  import: {
    title: 'Import',
    intro: 'Import a commune’s list of children from a CSV or XLSX file.',
  },
  reconciliation: {
    title: 'Reconciliation',
    intro: 'Reconcile children’s records with the national population database: review, link.',
  },
  cases: {
    title: 'Cases',
    intro: 'Cases assigned to you and cases in your area without an owner, overdue and due soon first.',
  },
};
