import { ConfigError, env } from './env';

describe('env readers', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const set = (key: string, value: string) => {
    process.env[key] = value;
  };

  it('fall back to the default when a key is unset or blank', () => {
    delete process.env.SOME_PORT;
    expect(env.int('SOME_PORT', 3000)).toBe(3000);
    set('SOME_PORT', '   ');
    expect(env.int('SOME_PORT', 3000)).toBe(3000);
  });

  it('read whole numbers within bounds', () => {
    set('SOME_PORT', ' 8080 ');
    expect(env.int('SOME_PORT', 3000, 0, 65535)).toBe(8080);
  });

  it.each(['abc', '12.5', '1e3', '0x10'])('refuse "%s" as a whole number, naming the key', (v) => {
    set('SOME_PORT', v);
    expect(() => env.int('SOME_PORT', 3000)).toThrow(ConfigError);
    expect(() => env.int('SOME_PORT', 3000)).toThrow(/SOME_PORT must be a whole number/);
  });

  it('refuse numbers out of bounds, naming the key and the range', () => {
    set('SOME_PORT', '70000');
    expect(() => env.int('SOME_PORT', 3000, 0, 65535)).toThrow(
      'Invalid configuration: SOME_PORT must be between 0 and 65535, got 70000',
    );
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['on', true],
    ['false', false],
    ['No', false],
    ['0', false],
    ['off', false],
  ])('read "%s" as %s', (value, expected) => {
    set('SOME_FLAG', value);
    expect(env.bool('SOME_FLAG', !expected)).toBe(expected);
  });

  it('refuse a flag that is neither true nor false', () => {
    set('SOME_FLAG', 'maybe');
    expect(() => env.bool('SOME_FLAG', true)).toThrow(/SOME_FLAG must be true or false/);
  });

  it('read one of a set of values without regard to case', () => {
    set('SOME_KIND', 'MySQL');
    expect(env.oneOf('SOME_KIND', ['sqlite', 'mysql'] as const, 'sqlite')).toBe('mysql');
    set('SOME_KIND', 'HS256');
    expect(env.oneOf('SOME_KIND', ['HS256', 'HS512'] as const, 'HS512')).toBe('HS256');
    set('SOME_KIND', 'hs256');
    expect(env.oneOf('SOME_KIND', ['HS256', 'HS512'] as const, 'HS512')).toBe('HS256');
    set('SOME_KIND', 'postgres');
    expect(() => env.oneOf('SOME_KIND', ['sqlite', 'mysql'] as const, 'sqlite')).toThrow(
      /SOME_KIND must be one of sqlite, mysql, got "postgres"/,
    );
  });

  it('read http(s) URLs without a trailing slash and refuse others', () => {
    set('SOME_URL', 'https://auth.example.com/');
    expect(env.url('SOME_URL', 'http://localhost')).toBe('https://auth.example.com');
    set('SOME_URL', 'ftp://auth.example.com');
    expect(() => env.url('SOME_URL', 'http://localhost')).toThrow(
      /SOME_URL must be an http\(s\) URL/,
    );
    set('SOME_URL', 'not a url');
    expect(() => env.url('SOME_URL', 'http://localhost')).toThrow(/SOME_URL/);
  });

  it('read comma-separated lists, dropping blanks', () => {
    set('SOME_LIST', ' a, b ,,c ');
    expect(env.list('SOME_LIST')).toEqual(['a', 'b', 'c']);
    delete process.env.SOME_LIST;
    expect(env.list('SOME_LIST')).toEqual([]);
  });
});
