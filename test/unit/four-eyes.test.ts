import { describe, expect, it } from 'vitest';
import { reinstatementApprovalError, secondPersonError } from '../../domain/four-eyes';

describe('four-eyes', () => {
  it('refuses an approval from whoever applied or captured the declaration, naming which', () => {
    expect(reinstatementApprovalError('user:1', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBe('four-eyes: the approval must come from a second person, not the one who applied');
    expect(reinstatementApprovalError('user:2', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBe(
      'four-eyes: the approval must come from a second person, not the one who captured the declaration',
    );
    expect(reinstatementApprovalError('user:3', { appliedBy: 'user:1', declarationBy: 'user:2' })).toBeUndefined();
  });

  it('an unknown person (histories recorded before) conflicts with no one', () => {
    expect(reinstatementApprovalError(undefined, { appliedBy: 'user:1' })).toBeUndefined();
    expect(reinstatementApprovalError('user:1', {})).toBeUndefined();
    expect(secondPersonError('user:9', { requested: 'user:9' }, 'the approval')).toBe('four-eyes: the approval must come from a second person, not the one who requested');
  });
});
