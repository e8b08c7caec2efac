import 'i18next';
import type { vi } from './vi';

// Every t() key is type-checked against the Vietnamese resources: a key that does not exist does not compile.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof vi };
  }
}
