import { SECTION } from './settings';

export const CLIENT_ID = SECTION; // the language client reads `fastapi-lint.trace.server` by this id
export const CLIENT_NAME = 'FastAPI Lint';
/** Server command (workspace/executeCommand) and VS Code command of the same name; argument: a document URI. */
export const FIX_ALL_COMMAND = 'fastapi-lint.fixAll';
export const FIX_ALL_KIND = 'source.fixAll.fastapi-lint';
