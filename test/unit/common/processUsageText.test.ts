import * as assert from 'node:assert/strict';
import { formatProcessUsage } from '../../../src/common/processUsageText';

describe('formatProcessUsage', () => {
  const MB = 1024 * 1024;
  it('CPU and memory with one decimal; the process count only for a tree', () => {
    assert.equal(formatProcessUsage({ cpuPercent: 3.14, rssBytes: 45.2 * MB, processes: 1, at: 0 }), 'CPU 3.1 % · 45.2 MB');
    assert.equal(formatProcessUsage({ cpuPercent: 0, rssBytes: 120 * MB, processes: 3, at: 0 }), 'CPU 0.0 % · 120.0 MB (3 processes)');
  });
  it('more than one core reads above 100 %', () => {
    assert.equal(formatProcessUsage({ cpuPercent: 187.96, rssBytes: 1536 * MB, processes: 2, at: 0 }), 'CPU 188.0 % · 1536.0 MB (2 processes)');
  });
});
