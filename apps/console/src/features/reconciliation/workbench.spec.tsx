import { actionOfKey, nextReview } from './workbench';

describe('identity-review workbench', () => {
  it('maps the shortcuts and ignores keys typed in a field', () => {
    expect(actionOfKey('3', false)).toEqual({ kind: 'pick', index: 2 });
    expect(actionOfKey('A', false)).toEqual({ kind: 'accept' });
    expect(actionOfKey('r', false)).toEqual({ kind: 'reject' });
    expect(actionOfKey('n', false)).toEqual({ kind: 'noRecord' });
    expect(actionOfKey('j', false)).toEqual({ kind: 'next' });
    expect(actionOfKey('k', false)).toEqual({ kind: 'previous' });
    expect(actionOfKey('0', false)).toBeUndefined();
    expect(actionOfKey('x', false)).toBeUndefined();
    expect(actionOfKey('a', true)).toBeUndefined();
  });

  it('opens the next undecided review after a decision, wrapping to earlier ones, and none when all are decided', () => {
    const ids = ['a', 'b', 'c', 'd'];
    expect(nextReview(ids, 'b', new Set(['b']))).toBe('c');
    expect(nextReview(ids, 'b', new Set(['b', 'c']))).toBe('d');
    expect(nextReview(ids, 'd', new Set(['b', 'c', 'd']))).toBe('a');
    expect(nextReview(ids, 'a', new Set(ids))).toBeUndefined();
    expect(nextReview(ids, undefined, new Set(['a']))).toBe('b');
  });

  it('steps back with K over decided reviews and stays on the first', () => {
    const ids = ['a', 'b', 'c'];
    expect(nextReview(ids, 'c', new Set(['b']), -1)).toBe('a');
    expect(nextReview(ids, 'a', new Set(), -1)).toBe('a');
  });
});
