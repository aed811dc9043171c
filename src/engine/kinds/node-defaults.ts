/**
 * The node kind's defaults, on their own so that a kind which runs a Node.js process beside its
 * own (Redis Stack's Redis Insight) reads them without loading the node kind's model and, through
 * it, the application catalogue (the page loads kinds by need: kinds/registry.ts).
 */
export const NODE_DEFAULTS = {
  processes: 1, // Node runs one process; cluster mode and pm2 `-i N` add more
  perProcess: 80, // assumed for a small app: Node's baseline under load (node.ts NODE_BASELINE_MIB, measured) plus ~25 MiB the app keeps on its heap (assumed)
  maxOldSpace: 0, // --max-old-space-size unset: V8 sizes the heap from the memory it sees (node.ts, DEFAULT_OLD_SPACE)
} as const;
