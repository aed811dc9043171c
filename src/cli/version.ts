/** Headroom's version: package.json's, bundled into the CLI (esbuild inlines the one field). */
import { version } from '../../package.json';

export const HEADROOM_VERSION: string = version;
