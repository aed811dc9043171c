/** The engine's public surface: pure functions from a validated Plan to a Report. */
export { evaluate } from './evaluate.ts';
export { planWithFeatures } from './features.ts';
export { applyChange } from './change.ts';
export { planParse, planSchema, planMigrate, pathFormat, PLAN_VERSION, SERVICE_KINDS, SERVICE_NAME_RE, SETTINGS_SCHEMAS } from './schema.ts';
export type { Plan, PlanInput, PlanFileInput, NamedHost, Host, Service, ServiceKind, ServiceOf, InputIssue, Workload, Features } from './schema.ts';
export type * from './report.ts';
export { RISK_LEVELS, SEVERITIES, budgetLimitOfAll } from './report.ts';
export { PRESETS, PRESET_NAMES, presetGet, isPresetName, planEmpty } from './presets.ts';
export type { PresetName } from './presets.ts';
export { sizeParse, sizeFormat, sizesFormat, sizePairFormat, sizeToPlan, indefiniteArticle, withArticle, durationParse, durationFormat, perContainerFormat, limitsOfAllFormat } from './units.ts';
export { changeText, changesText, KIND_NAMES, FEATURE_NOUNS } from './changeText.ts';
