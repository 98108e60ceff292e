import { threadPoolSize } from './thread-pool';

describe('threadPoolSize', () => {
  it('is one thread per core, at least two', () => {
    expect(threadPoolSize(undefined, 8)).toBe('8');
    expect(threadPoolSize(undefined, 2)).toBe('2');
    expect(threadPoolSize(undefined, 1)).toBe('2');
    expect(threadPoolSize('  ', 6)).toBe('6');
  });

  it("keeps the operator's UV_THREADPOOL_SIZE", () => {
    expect(threadPoolSize('16', 2)).toBe('16');
  });
});
