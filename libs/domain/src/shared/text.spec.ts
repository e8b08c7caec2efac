import { RegistryError } from './registry.error';
import { optionalText, requireCleanCharacters, requireName, requireReason } from './text';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof RegistryError ? `${err.code}@${err.field}` : String(err);
  }
};

describe('text rules: control characters and half characters', () => {
  it.each([
    ['a NUL', 'Nguyễn\u0000Hà'],
    ['a bell', 'Nguyễn\u0007Hà'],
    ['an escape', 'Nguyễn\u001bHà'],
    ['a C1 control', 'Nguyễn\u0085Hà'],
    ['DEL', 'Nguyễn\u007fHà'],
    ['a lone high surrogate', '\ud800Hà'],
    ['a lone low surrogate', 'Hà\udc00'],
    ['surrogates in the wrong order', 'Hà\udc00\ud800'],
  ])('refuses a name with %s (INVALID_CHARACTERS, naming the field)', (_what, value) => {
    expect(codeOf(() => requireName(value, 'fullName'))).toBe('INVALID_CHARACTERS@fullName');
    expect(codeOf(() => optionalText(value, 'notes'))).toBe('INVALID_CHARACTERS@notes');
    expect(codeOf(() => requireReason(value))).toBe('INVALID_CHARACTERS@reason');
  });

  it.each(['=HYPERLINK("http://x")', '+SUM(1)', '-1', '@cmd', '1 Nguyễn', '(Hà)'])('refuses a name that does not begin with a letter: %s', (value) => {
    expect(codeOf(() => requireName(value, 'fullName'))).toBe('INVALID_CHARACTERS@fullName');
  });

  it('keeps letters of every script, emoji (a surrogate pair) and, in free text, tabs and line breaks', () => {
    expect(requireName('Nguyễn Thị Thu Hà', 'fullName')).toBe('Nguyễn Thị Thu Hà');
    expect(requireName('Hà 😀', 'fullName')).toBe('Hà 😀');
    expect(requireName('Nguyễn\tThị\nHà', 'fullName')).toBe('Nguyễn Thị Hà');
    expect(optionalText('dòng 1\ndòng 2\tcột', 'notes')).toBe('dòng 1\ndòng 2\tcột');
    expect(requireCleanCharacters('𠀀 chữ Nôm', 'notes')).toBe('𠀀 chữ Nôm');
  });
});
