import { BadRequestException } from '@nestjs/common';
import { optionalDate } from './access';

describe('optionalDate (query parameters that are calendar days)', () => {
  it('passes a real day and an absent one through', () => {
    expect(optionalDate('2024-02-29', 'from')).toBe('2024-02-29');
    expect(optionalDate(undefined, 'from')).toBeUndefined();
  });

  it.each(['2025-02-30', '2025-02-29', '2025-13-01', '2025-1-01', '01/02/2025', '2025-02-03T00:00:00Z'])('refuses %s with a 400 naming the field', (value) => {
    let thrown: unknown;
    try {
      optionalDate(value, 'asOf');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BadRequestException);
    expect((thrown as BadRequestException).getResponse()).toEqual({ message: 'asOf must be a date YYYY-MM-DD', field: 'asOf' });
  });
});
