/**
 * What the page takes from the engine after its entry has run (see schema.ts): the plan schema
 * (zod/mini), the model (evaluate) and the kinds' registry, which loads each kind's module by need
 * (kinds/registry.ts). The page's entry chunk imports none of them directly: zod/mini and the
 * model come as one chunk of their own, each kind as one more, and only the plan's kinds (and the
 * toggles') before the first numbers are drawn.
 */
export * from '../../engine/plan-schema.ts';
export { evaluate } from '../../engine/evaluate.ts';
// The vCPUs of a host without `cpus` (the Host box shows the rule): cpu.ts imports the plan schema, so it comes with this chunk.
export { defaultCpus, GIB_PER_VCPU } from '../../engine/cpu.ts';
export { kindCountsReplicas, kindOf, kindsLoad, kindsLoadAll, kindsNeeded, kindsReady } from '../../engine/kinds/registry.ts';
