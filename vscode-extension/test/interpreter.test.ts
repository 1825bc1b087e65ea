import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkInterpreter,
  probeInterpreter,
  resolveInterpreter,
  runProcess,
  StartupError,
  type InterpreterInfo,
  type PythonInterpreterProvider,
  type RunFn,
} from '../src/interpreter';

const provider = (answer: string | undefined | Error): PythonInterpreterProvider => ({
  activeInterpreter: async () => {
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  },
});

async function startupError(p: Promise<unknown>): Promise<StartupError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    return err as StartupError;
  }
  throw new Error('expected a StartupError');
}

describe('resolveInterpreter', () => {
  it('prefers the setting', async () => {
    expect(await resolveInterpreter({ interpreter: '/x/python' }, provider('/venv/bin/python'))).toEqual({ command: '/x/python', source: 'setting' });
  });
  it('then the Python extension', async () => {
    expect(await resolveInterpreter({ interpreter: '' }, provider('/venv/bin/python'))).toEqual({
      command: '/venv/bin/python',
      source: 'python-extension',
    });
  });
  it('then python3: no Python extension, no selection, or a failing one', async () => {
    const fallback = { command: 'python3', source: 'default' };
    expect(await resolveInterpreter({ interpreter: '' }, undefined)).toEqual(fallback);
    expect(await resolveInterpreter({ interpreter: '' }, provider(undefined))).toEqual(fallback);
    expect(await resolveInterpreter({ interpreter: '' }, provider('  '))).toEqual(fallback);
    expect(await resolveInterpreter({ interpreter: '' }, provider(new Error('boom')))).toEqual(fallback);
  });
});

describe('probeInterpreter (fake runs)', () => {
  const interp = { command: 'py', source: 'setting' as const };
  const answer = (stdout: string, stderr = '', code = 0): RunFn => async () => ({ stdout, stderr, code });

  it('parses the probe line among other output', async () => {
    const info = await probeInterpreter(
      interp,
      answer('hello from sitecustomize\nFASTAPI_LINT_PROBE{"executable": "/usr/bin/python3.12", "version": [3, 12, 1], "hasServer": true}\n'),
    );
    expect(info).toEqual({ executable: '/usr/bin/python3.12', version: [3, 12, 1], hasServer: true });
  });

  it('explains a missing interpreter, naming the setting to fix', async () => {
    const enoent: RunFn = async () => {
      throw Object.assign(new Error('spawn py ENOENT'), { code: 'ENOENT' });
    };
    const err = await startupError(probeInterpreter(interp, enoent));
    expect(err.kind).toBe('interpreter-not-found');
    expect(err.message).toMatch(/"py" was not found.*fastapi-lint\.interpreter/);
    const fromDefault = await startupError(probeInterpreter({ command: 'python3', source: 'default' }, enoent));
    expect(fromDefault.message).toMatch(/Python: Select Interpreter/);
  });

  it('explains a program that is not Python 3', async () => {
    const err = await startupError(probeInterpreter(interp, answer('', '  File "<string>", line 3\nSyntaxError: invalid syntax', 1)));
    expect(err.kind).toBe('interpreter-failed');
    expect(err.message).toMatch(/not a working Python 3.10\+ interpreter \(SyntaxError: invalid syntax\)/);
  });

  it('reports a timeout', async () => {
    const slow: RunFn = async () => {
      throw Object.assign(new Error('timed out after 10 ms'), { code: 'ETIMEDOUT' });
    };
    const err = await startupError(probeInterpreter(interp, slow));
    expect(err.kind).toBe('interpreter-failed');
    expect(err.message).toMatch(/timed out/);
  });
});

describe('checkInterpreter', () => {
  const interp = { command: '/usr/bin/python3.9', source: 'setting' as const };
  const info = (version: [number, number, number], hasServer = false): InterpreterInfo => ({ executable: interp.command, version, hasServer });

  it('rejects Python older than 3.10 with the version in the message', () => {
    expect(() => checkInterpreter(interp, info([3, 9, 18]), 'useBundled')).toThrow(/needs Python 3\.10 or newer, but "\/usr\/bin\/python3\.9" is Python 3\.9\.18/);
    expect(() => checkInterpreter(interp, info([2, 7, 18]), 'useBundled')).toThrow(StartupError);
  });
  it('accepts 3.10 and later', () => {
    expect(() => checkInterpreter(interp, info([3, 10, 0]), 'useBundled')).not.toThrow();
    expect(() => checkInterpreter(interp, info([4, 0, 0]), 'useBundled')).not.toThrow();
  });
  it('fromEnvironment needs the server installed in the environment', () => {
    expect(() => checkInterpreter(interp, info([3, 12, 0], false), 'fromEnvironment')).toThrow(/not installed in .*pip install "fastapi-lint\[lsp\]".*useBundled/);
    expect(() => checkInterpreter(interp, info([3, 12, 0], true), 'fromEnvironment')).not.toThrow();
  });
});

describe('probeInterpreter (real processes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastapi-lint-probe-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probes the real python3', async () => {
    const info = await probeInterpreter({ command: 'python3', source: 'default' }, runProcess);
    expect(info.version[0]).toBe(3);
    expect(path.isAbsolute(info.executable)).toBe(true);
  });

  it('a nonexistent interpreter is "not found"', async () => {
    const err = await startupError(probeInterpreter({ command: path.join(dir, 'nope', 'python'), source: 'setting' }, runProcess));
    expect(err.kind).toBe('interpreter-not-found');
  });

  it('an old interpreter (a fake Python 3.8) is refused with its version', async () => {
    const fake = path.join(dir, 'python3.8');
    fs.writeFileSync(fake, '#!/bin/sh\necho \'FASTAPI_LINT_PROBE{"executable": "/opt/py38/bin/python", "version": [3, 8, 10], "hasServer": false}\'\n', { mode: 0o755 });
    const interp = { command: fake, source: 'setting' as const };
    const info = await probeInterpreter(interp, runProcess);
    expect(() => checkInterpreter(interp, info, 'useBundled')).toThrow(/is Python 3\.8\.10/);
  });

  it('a program that crashes is reported with its last stderr line', async () => {
    const fake = path.join(dir, 'broken');
    fs.writeFileSync(fake, '#!/bin/sh\necho "libpython3.so: cannot open shared object file" >&2\nexit 127\n', { mode: 0o755 });
    const err = await startupError(probeInterpreter({ command: fake, source: 'setting' }, runProcess));
    expect(err.message).toMatch(/cannot open shared object file/);
  });
});
