import { describe, expect, it } from 'vitest';
import { StartupError } from '../src/interpreter';
import { buildServerLaunch, bundledLibs, checkBundle } from '../src/serverCommand';
import { readSettings } from '../src/settings';

const settings = (values: Record<string, unknown> = {}) => readSettings({ get: <T>(k: string) => values[k] as T | undefined });

describe('buildServerLaunch', () => {
  it('useBundled: python -m fastapi_lsp with the bundled libs first on PYTHONPATH', () => {
    const launch = buildServerLaunch(settings({ args: ['--log-level', 'debug'] }), '/usr/bin/python3', '/ext', { PYTHONPATH: '/mine', HOME: '/h' }, ':');
    expect(launch.command).toBe('/usr/bin/python3');
    expect(launch.args).toEqual(['-m', 'fastapi_lsp', '--log-level', 'debug']);
    expect(launch.env.PYTHONPATH).toBe('/ext/bundled/libs:/mine');
    expect(launch.env.HOME).toBe('/h');
    expect(launch.description).toContain('bundled server');
  });

  it('useBundled without an existing PYTHONPATH', () => {
    const launch = buildServerLaunch(settings(), 'python3', '/ext', {}, ':');
    expect(launch.env.PYTHONPATH).toBe(bundledLibs('/ext'));
  });

  it('fromEnvironment leaves PYTHONPATH alone', () => {
    const launch = buildServerLaunch(settings({ importStrategy: 'fromEnvironment' }), '/venv/bin/python', '/ext', { PYTHONPATH: '/mine' }, ':');
    expect(launch).toMatchObject({ command: '/venv/bin/python', args: ['-m', 'fastapi_lsp'] });
    expect(launch.env.PYTHONPATH).toBe('/mine');
  });

  it('path overrides the interpreter and import strategy; args still apply', () => {
    const launch = buildServerLaunch(settings({ path: ['/opt/ls', '--flag'], args: ['-v'] }), undefined, '/ext', { PYTHONPATH: '/mine' });
    expect(launch).toMatchObject({ command: '/opt/ls', args: ['--flag', '-v'] });
    expect(launch.env.PYTHONPATH).toBe('/mine');
  });

  it('needs an interpreter when no path is set', () => {
    expect(() => buildServerLaunch(settings(), undefined, '/ext', {})).toThrow(StartupError);
  });
});

describe('checkBundle', () => {
  it('passes when the bundled server is there and explains when it is not', () => {
    expect(() => checkBundle('/ext', (p) => p === '/ext/bundled/libs/fastapi_lsp/__main__.py')).not.toThrow();
    try {
      checkBundle('/ext', () => false);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StartupError);
      expect((err as StartupError).kind).toBe('bundle-missing');
      expect((err as Error).message).toMatch(/bundled server is missing.*fromEnvironment/);
    }
  });
});
