/**
 * The input policy's bounds (issue 17), in a module of their own with no imports, so that the
 * page's first load can name them without loading the YAML parser. input-policy.ts applies them.
 */
export const INPUT_LIMITS = {
  /** Bytes read from any input. A 2,000-service plan (the schema's cap) is ~110 kB as YAML and
   * ~400 kB as JSON (measured: test/hostile-inputs.ts's manyServicesPlanInput); 4 MiB leaves
   * 10× that. The CLI stops reading here (issue 17: `plan /dev/zero` reached 8 GB). */
  maxBytes: 4 * 1024 * 1024,
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

