/** Exchange files (`.jst`): export a workflow with what it needs, read it back, import it into a project. */
export { EXCHANGE_EXTENSION, EXCHANGE_FORMAT, EXCHANGE_VERSION, isSecretKey, publicApp, type ExchangeFile } from './format.js';
export { ExchangeError, exportWorkflow, indexProject, type ExportOptions, type ProjectIndex } from './export.js';
export { parseExchange, readExchange, type ParseResult } from './parse.js';
export { LEGACY_FORMAT, MIGRATIONS, MigrationProblem, type Migration } from './migrations.js';
export { defaultNewId, importExchange, type ImportMode, type ImportOptions, type ImportResult, type ItemKind } from './import.js';
export { locateJsonError, parseJson, type JsonError, type JsonResult } from './json.js';
