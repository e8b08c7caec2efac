import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { rememberLanguage } from './i18n';
import { Language, LANGUAGES } from './resources';

/** The console's language and its switch; the choice is remembered on this machine. */
export function useLanguage(): { language: Language; setLanguage(language: Language): void } {
  const { i18n } = useTranslation();
  const language = (LANGUAGES as readonly string[]).includes(i18n.language) ? (i18n.language as Language) : 'vi';
  const setLanguage = useCallback(
    (next: Language) => {
      rememberLanguage(next);
      document.documentElement.lang = next;
      void i18n.changeLanguage(next);
    },
    [i18n],
  );
  return { language, setLanguage };
}
