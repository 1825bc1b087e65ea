import type * as vscode from 'vscode';
import type { ClientFactory, ClientHooks, ServerClient } from '../src/client';
import type { ServerLaunch } from '../src/serverCommand';

export interface FakeLog {
  channel: vscode.LogOutputChannel;
  lines: string[];
  shown: number;
}

export function fakeLog(): FakeLog {
  const lines: string[] = [];
  const log: FakeLog = { lines, shown: 0, channel: undefined as unknown as vscode.LogOutputChannel };
  const at = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
  };
  log.channel = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    trace: at('trace'),
    appendLine: at('line'),
    show: () => {
      log.shown += 1;
    },
  } as unknown as vscode.LogOutputChannel;
  return log;
}

export class FakeClient implements ServerClient {
  running = false;
  started = 0;
  stopped = 0;
  readonly handlers = new Map<string, (params: unknown) => void>();
  readonly requests: { method: string; params: unknown }[] = [];
  answers = new Map<string, unknown>();
  commands: string[] = ['fastapi-lint.fixAll'];
  failStart: Error | undefined;

  constructor(
    readonly launch: ServerLaunch,
    readonly hooks: ClientHooks,
  ) {}

  async start(): Promise<void> {
    this.started += 1;
    if (this.failStart !== undefined) {
      throw this.failStart;
    }
    this.running = true;
    this.hooks.onState(true);
  }
  async stop(): Promise<void> {
    this.stopped += 1;
    this.running = false;
    this.hooks.onState(false);
  }
  async sendRequest<R>(method: string, params: unknown): Promise<R> {
    this.requests.push({ method, params });
    const answer = this.answers.get(method);
    if (answer instanceof Error) {
      throw answer;
    }
    return answer as R;
  }
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable {
    this.handlers.set(method, handler);
    return { dispose: () => this.handlers.delete(method) };
  }
  isRunning(): boolean {
    return this.running;
  }
  serverCommands(): string[] {
    return this.commands;
  }
}

/** A client factory that records the clients it made; `prepare` runs on each new client before it starts. */
export function fakeFactory(prepare: (c: FakeClient) => void = () => undefined): { factory: ClientFactory; clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  const factory: ClientFactory = (launch, hooks) => {
    const client = new FakeClient(launch, hooks);
    prepare(client);
    clients.push(client);
    return client;
  };
  return { factory, clients };
}
