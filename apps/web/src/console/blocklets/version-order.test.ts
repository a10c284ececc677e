import { describe, expect, it } from 'vitest';
import { newestFirst, rollbackTarget } from './version-order.ts';

const v = (version: string, height: number) => ({ version, height, deployedAtMs: height * 1000 });

describe('version order', () => {
  // The node lists versions newest first; a list in any order gives the same answers.
  const listed = [v('1.0.2', 30), v('1.0.1', 20), v('1.0.0', 10)];
  const shuffled = [v('1.0.0', 10), v('1.0.2', 30), v('1.0.1', 20)];

  it('orders versions newest first by the height of their deploy', () => {
    expect(newestFirst(shuffled).map((x) => x.version)).toEqual(['1.0.2', '1.0.1', '1.0.0']);
  });

  it('rolls back to the version deployed before the live one, never to a newer one', () => {
    for (const versions of [listed, shuffled]) {
      expect(rollbackTarget(versions, '1.0.1')).toBe('1.0.0');
      expect(rollbackTarget(versions, '1.0.2')).toBe('1.0.1');
      expect(rollbackTarget(versions, '1.0.0')).toBeNull();
    }
  });

  it('offers no rollback without a live version or for a version it does not list', () => {
    expect(rollbackTarget(listed, null)).toBeNull();
    expect(rollbackTarget(listed, '9.9.9')).toBeNull();
  });
});
