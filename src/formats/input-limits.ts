/**
 * The input policy's bounds (issue 17), in a module of their own with no imports, so that the
 * page's first load can name them without loading the YAML parser. input-policy.ts applies them;
 * readers (src/cli/io.ts readCapped, the page's upload, share links) check the byte caps.
 */
export const INPUT_LIMITS = {
  /** Bytes read from any input. A 2,000-service plan (the schema's cap) is ~110 kB as YAML and
   * ~400 kB as JSON (measured: test/hostile-inputs.ts's manyServicesPlanInput); 4 MiB leaves
   * 10× that. The CLI stops reading here (issue 17: `plan /dev/zero` reached 8 GB). */
  maxBytes: 4 * 1024 * 1024,
  /** Bytes of one evidence file (`--evidence`, "Add evidence…"), read as JSON or text, not YAML.
   * Assumed: a week of one container at a 15 s scrape in Prometheus JSON is ~1.3 MB; 32 MiB holds
   * a busy stack's week and refuses a runaway. */
  maxEvidenceBytes: 32 * 1024 * 1024,
  /** Bytes of a file a compose file or an evidence folder names (env_file, a mounted config, one
   * cgroup file). Assumed: real ones are a few kB; larger ones are not read. */
  maxSideFileBytes: 1024 * 1024,
  /** Lexer tokens other than spaces, newlines and comments. The 2,000-service plan has ~40,000;
   * the parse costs ~11 µs a token here (measured: 240,000 tokens parsed in 2.7 s on this
   * 2-core machine), so 200,000 keeps the worst accepted input near 2 s. */
  maxTokens: 200_000,
  /** Nodes of the document with every alias expanded: the same bound as the tokens, so that a
   * document is never bigger expanded than it could be written out (issue 17: 100,000 items
   * aliased 9,000 times). */
  maxExpandedNodes: 200_000,
  /** Nesting levels. Plans nest 5 deep and compose files ~8 (deploy.resources.limits.memory);
   * assumed: 64 is beyond any real file and far below the parser's stack (~5,000 levels). */
  maxDepth: 64,
  /** Problems printed for one input; the rest are counted (issue 17: 784 identical lines). */
  maxIssues: 20,
} as const;

/** The byte caps by what is read: a plan or compose file, an evidence file, a side file. */
export type ByteCap = 'input' | 'evidence' | 'side';

export const BYTE_CAPS: Record<ByteCap, { max: number; what: string; hint: string }> = {
  input: { max: INPUT_LIMITS.maxBytes, what: 'text', hint: 'is this the right file?' },
  evidence: { max: INPUT_LIMITS.maxEvidenceBytes, what: 'evidence', hint: "query a shorter range or a larger step, or keep only this stack's containers" },
  side: { max: INPUT_LIMITS.maxSideFileBytes, what: 'text in a file the input names', hint: 'is this the right file?' },
};


/** `expected at most 4 MiB of text, got 10.0 MiB; is this the right file?` (`more` when the size is unknown). */
export function tooBigMessage(bytes: number | null, cap: ByteCap = 'input'): string {
  const { max, what, hint } = BYTE_CAPS[cap];
  const got = bytes === null ? 'more' : `${(bytes / 1048576).toFixed(1)} MiB`;
  return `expected at most ${max / 1048576} MiB of ${what}, got ${got}; ${hint}`;
}
