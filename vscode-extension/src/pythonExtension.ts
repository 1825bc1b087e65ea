import * as vscode from 'vscode';
import type { PythonInterpreterProvider } from './interpreter';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

/** The parts of the Python extension's public API we use (both its `environments` API and the older `settings`). */
interface EnvironmentPath {
  id: string;
  path: string;
}
interface ResolvedEnvironment {
  executable: { uri?: vscode.Uri };
}
export interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(env: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails: vscode.Event<unknown>;
  };
}

export interface PythonExtension extends PythonInterpreterProvider {
  /** Fires when the user selects another interpreter. */
  onDidChangeInterpreter(listener: () => void): vscode.Disposable;
}

export function providerFromApi(api: PythonExtensionApi): PythonExtension {
  return {
    async activeInterpreter(resource?: string): Promise<string | undefined> {
      const uri = resource !== undefined ? vscode.Uri.parse(resource) : undefined;
      if (api.environments !== undefined) {
        const envPath = api.environments.getActiveEnvironmentPath(uri);
        const resolved = await api.environments.resolveEnvironment(envPath);
        const exe = resolved?.executable.uri?.fsPath;
        if (exe !== undefined && exe !== '') {
          return exe;
        }
      }
      const command = api.settings?.getExecutionDetails(uri).execCommand;
      return command !== undefined && command.length > 0 ? command[0] : undefined;
    },
    onDidChangeInterpreter(listener: () => void): vscode.Disposable {
      if (api.environments !== undefined) {
        return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
      }
      if (api.settings !== undefined) {
        return api.settings.onDidChangeExecutionDetails(() => listener());
      }
      return new vscode.Disposable(() => undefined);
    },
  };
}

/** The Python extension's interpreter API, or undefined when it is not installed (or fails to activate). */
export async function getPythonExtension(log: (message: string) => void): Promise<PythonExtension | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    if (api === undefined || (api.environments === undefined && api.settings === undefined)) {
      log(`${PYTHON_EXTENSION_ID} has no interpreter API; using fastapi-lint.interpreter or python3`);
      return undefined;
    }
    return providerFromApi(api);
  } catch (err) {
    log(`${PYTHON_EXTENSION_ID} failed to activate: ${String(err)}`);
    return undefined;
  }
}
