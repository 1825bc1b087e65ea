import { beforeEach, describe, expect, it } from 'vitest';
import type { RunFn } from '../src/interpreter';
import { ServerManager } from '../src/server';
import { fakeFactory, fakeLog } from './fakes';
import { reset, state, Uri } from './vscode-stub';

const probeAnswer = (version: number[], hasServer = false, executable = '/usr/bin/python3.12'): RunFn => async () => ({
  stdout: `FASTAPI_LINT_PROBE${JSON.stringify({ executable, version, hasServer })}\n`,
  stderr: '',
  code: 0,
});

const bundleThere = (p: string) => p.endsWith('/bundled/libs/fastapi_lsp/__main__.py');

function manager(opts: { run?: RunFn; exists?: (p: string) => boolean; python?: string; prepare?: Parameters<typeof fakeFactory>[0] } = {}) {
  const log = fakeLog();
  const { factory, clients } = fakeFactory(opts.prepare);
  const calls: string[][] = [];
  const run: RunFn = async (command, args, timeout) => {
    calls.push([command, ...args]);
    return (opts.run ?? probeAnswer([3, 12, 1]))(command, args, timeout);
  };
  const server = new ServerManager({
    extensionPath: '/ext',
    log: log.channel,
    createClient: factory,
    python: async () => (opts.python === undefined ? undefined : { activeInterpreter: async () => opts.python }),
    run,
    exists: opts.exists ?? bundleThere,
  });
  return { server, log, clients, calls, status: state.statusItems[state.statusItems.length - 1] };
}

beforeEach(() => {
  reset();
  state.folders = [{ uri: Uri.file('/ws'), name: 'ws', index: 0 }];
});

describe('ServerManager: starting', () => {
  it('starts the bundled server with the probed interpreter, select/ignore as initializationOptions', async () => {
    state.settings = { select: ['FPA1'], ignore: ['FPA104'] };
    const { server, clients, calls, status } = manager();
    await server.restart('test');
    expect(calls[0][0]).toBe('python3'); // no setting, no Python extension
    expect(clients).toHaveLength(1);
    const [client] = clients;
    expect(client.launch.command).toBe('/usr/bin/python3.12'); // sys.executable from the probe
    expect(client.launch.args).toEqual(['-m', 'fastapi_lsp']);
    expect(client.launch.env.PYTHONPATH?.split(':')[0]).toBe('/ext/bundled/libs');
    expect(client.hooks.serverSettings()).toEqual({ select: ['FPA1'], ignore: ['FPA104'] });
    expect(server.running).toBe(true);
    expect(status.text).toContain('$(check)');
    expect(state.shown).toEqual([]);
  });

  it('uses the Python extension interpreter when the setting is empty', async () => {
    const { server, calls } = manager({ python: '/ws/.venv/bin/python' });
    await server.restart('test');
    expect(calls[0][0]).toBe('/ws/.venv/bin/python');
  });

  it('fastapi-lint.path skips the interpreter entirely', async () => {
    state.settings = { path: ['/opt/fastapi-lsp', '--x'], args: ['-v'] };
    const { server, clients, calls } = manager();
    await server.restart('test');
    expect(calls).toEqual([]);
    expect(clients[0].launch).toMatchObject({ command: '/opt/fastapi-lsp', args: ['--x', '-v'] });
  });

  it('restarts in order: the old client stops before the new one starts', async () => {
    const { server, clients } = manager();
    await Promise.all([server.restart('a'), server.restart('b'), server.restart('c')]);
    expect(clients).toHaveLength(3);
    expect(clients.map((c) => [c.started, c.stopped])).toEqual([
      [1, 1],
      [1, 1],
      [1, 0],
    ]);
    expect(server.running).toBe(true);
  });

  it('re-attaches notification handlers to each new client', async () => {
    const { server, clients } = manager();
    const got: unknown[] = [];
    server.onNotification('fastapiLint/routesChanged', (p) => got.push(p));
    await server.restart('a');
    await server.restart('b');
    clients[1].handlers.get('fastapiLint/routesChanged')?.({});
    expect(got).toEqual([{}]);
  });
});

describe('ServerManager: failures are never silent', () => {
  it('a missing interpreter: error message, error status, no client', async () => {
    state.settings = { interpreter: '/nope/python' };
    const enoent: RunFn = async () => {
      throw Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
    };
    const { server, clients, status, log } = manager({ run: enoent });
    await server.restart('test');
    expect(clients).toHaveLength(0);
    expect(state.shown).toEqual([expect.stringMatching(/^error: fastapi-lint: the Python interpreter "\/nope\/python" was not found/)]);
    expect(status.text).toContain('$(error)');
    expect(String(status.tooltip)).toMatch(/was not found/);
    expect(log.lines.some((l) => l.startsWith('error: fastapi-lint: the Python interpreter'))).toBe(true);
  });

  it('a too old interpreter', async () => {
    const { server, clients } = manager({ run: probeAnswer([3, 9, 2]) });
    await server.restart('test');
    expect(clients).toHaveLength(0);
    expect(state.shown[0]).toMatch(/needs Python 3\.10 or newer, but "python3" is Python 3\.9\.2/);
  });

  it('fromEnvironment without the server installed', async () => {
    state.settings = { importStrategy: 'fromEnvironment' };
    const { server } = manager({ run: probeAnswer([3, 12, 0], false) });
    await server.restart('test');
    expect(state.shown[0]).toMatch(/language server is not installed in \/usr\/bin\/python3\.12/);
  });

  it('fromEnvironment with the server installed starts without the bundle', async () => {
    state.settings = { importStrategy: 'fromEnvironment' };
    const { server, clients } = manager({ run: probeAnswer([3, 12, 0], true), exists: () => false });
    await server.restart('test');
    expect(clients).toHaveLength(1);
    expect(clients[0].launch.env.PYTHONPATH ?? '').not.toContain('/ext/bundled/libs');
  });

  it('a build without the bundled server', async () => {
    const { server } = manager({ exists: () => false });
    await server.restart('test');
    expect(state.shown[0]).toMatch(/bundled server is missing/);
  });

  it('an invalid setting', async () => {
    state.settings = { importStrategy: 'sideways' };
    const { server } = manager();
    await server.restart('test');
    expect(state.shown[0]).toMatch(/invalid setting: fastapi-lint\.importStrategy must be one of/);
  });

  it('a server that fails to start; fixAll then explains instead of "command not found"', async () => {
    const { server, status } = manager({ prepare: (c) => (c.failStart = new Error('Server initialization failed: ModuleNotFoundError')) });
    await server.restart('test');
    expect(state.shown[0]).toMatch(/could not be started: Server initialization failed: ModuleNotFoundError/);
    expect(status.text).toContain('$(error)');
    await state.commands.get('fastapi-lint.fixAll')?.();
    expect(state.shown[1]).toMatch(/^error: FastAPI Lint: the server is not running/);
  });

  it('showNotifications=off keeps failures in the status bar and the log only', async () => {
    state.settings = { showNotifications: 'off', interpreter: '/nope' };
    const { server, status, log } = manager({ run: probeAnswer([3, 8, 0]) });
    await server.restart('test');
    expect(state.shown).toEqual([]);
    expect(status.text).toContain('$(error)');
    expect(log.lines.some((l) => /Python 3\.8\.0/.test(l))).toBe(true);
  });

  it('the "Show Logs" button shows the log', async () => {
    state.nextChoice = 'Show Logs';
    const { server, log } = manager({ run: probeAnswer([3, 9, 0]) });
    await server.restart('test');
    await new Promise((r) => setTimeout(r, 0));
    expect(log.shown).toBe(1);
  });

  it('a fatal crash reported by the client turns the status to error', async () => {
    const { server, clients, status } = manager();
    await server.restart('test');
    clients[0].hooks.onFatal('fastapi-lint: the language server stopped 5 times');
    expect(status.text).toContain('$(error)');
    expect(state.shown[0]).toMatch(/stopped 5 times/);
  });
});

describe('ServerManager: fixAll', () => {
  it('uses the server command when offered, else falls back to the source action', async () => {
    const { server } = manager({ prepare: (c) => (c.commands = []) });
    await server.restart('test');
    await state.commands.get('fastapi-lint.fixAll')?.();
    expect(state.executed).toContainEqual({ command: 'editor.action.sourceAction', args: [{ kind: 'source.fixAll.fastapi-lint', apply: 'first' }] });
    // A restart with a server that offers it: our fallback is gone (the language client registers the command).
    const again = manager();
    reset();
    await again.server.restart('test');
    expect(state.commands.has('fastapi-lint.fixAll')).toBe(false);
  });
});

describe('ServerManager: requests', () => {
  it('refuses requests while stopped', async () => {
    const { server } = manager();
    await expect(server.sendRequest('fastapiLint/routes', {})).rejects.toThrow(/not running/);
  });
});
