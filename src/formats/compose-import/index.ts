/** Compose import: a docker-compose.yml into a Headroom plan (and, in edit.ts, back). Pure. */
export { composeImport, MAX_COMPOSE_CHARS } from './import.ts';
export type { ComposeImportOptions, ComposeImportResult, ComposeIssue, ServiceNote } from './import.ts';
export { composeSizeParse, composeSizeFormat } from './size.ts';
export { envTextParse, interpolate } from './interpolate.ts';
export { recognise } from './recognise.ts';
export { imageRepository } from './words.ts';
export { composeEdit } from './edit.ts';
export type { ComposeEditOptions, ComposeEditResult } from './edit.ts';
