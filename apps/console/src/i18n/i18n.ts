import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { DEFAULT_LANGUAGE, Language, LANGUAGES } from './resources';
import { vi } from './vi';

const STORAGE_KEY = 'childledger.language';

export const resources = { vi: { translation: vi }, en: { translation: en } } as const;

/** The language chosen last on this machine, or Vietnamese. */
export function rememberedLanguage(storage: Pick<Storage, 'getItem'> = window.localStorage): Language {
  const saved = storage.getItem(STORAGE_KEY);
  return (LANGUAGES as readonly string[]).includes(saved ?? '') ? (saved as Language) : DEFAULT_LANGUAGE;
}

export function rememberLanguage(language: Language, storage: Pick<Storage, 'setItem'> = window.localStorage): void {
  storage.setItem(STORAGE_KEY, language);
}

export async function initI18n(language: Language): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false },
    returnNull: false,
    // A missing key is a bug (a test finds it); never show the key to a user silently.
    saveMissing: false,
  });
  document.documentElement.lang = language;
  return i18next;
}
