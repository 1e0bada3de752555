import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPhone } from './masking';

describe('masking', () => {
  it('masks a mobile number as 138****1234', () => {
    expect(maskPhone('13800001234')).toBe('138****1234');
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone('12345')).toBe('*****');
  });
  it('keeps the region and the last four digits of an ID number', () => {
    expect(maskIdNumber('510604199001011234')).toBe('510604********1234');
  });
  it('keeps only the surname', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
  });
});
