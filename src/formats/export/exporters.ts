/** The exporters are budgeted by the engine (src/engine/exporters.ts); the export writes them. */
export * from '../../engine/exporters.ts';
