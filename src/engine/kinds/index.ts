/**
 * The registry of service kinds: one line per kind. The service kinds of the plan file are this
 * object's keys, in this order (the page's pickers and the error messages list them so), and each
 * entry is checked against KindEngine: the compiler names what a new kind lacks. Shared code asks
 * here (kindOf) for a kind's settings, model, findings and tuning instead of switching on it.
 */
import type { Plan, ServiceKind, ServiceOf } from '../schema.ts';
import type { Basis, Usage } from '../report.ts';
import type { KindEngine, KindTuning, ModelContext } from './kind.ts';
import { fastapi } from './fastapi.ts';
import { postgres } from './postgres/index.ts';
import { redis } from './redis.ts';
import { pgbouncer } from './pgbouncer.ts';
import { prometheus } from './prometheus.ts';
import { grafana } from './grafana.ts';
import { alertmanager } from './alertmanager.ts';
import { mysql } from './mysql.ts';
import { mongodb } from './mongodb.ts';
import { clickhouse } from './clickhouse.ts';
import { rabbitmq } from './rabbitmq.ts';
import { memcached } from './memcached.ts';
import { minio } from './minio.ts';
import { dragonfly } from './dragonfly.ts';
import { generic } from './generic.ts';
import { jvm } from './jvm.ts';
import { python } from './python.ts';
import { node } from './node.ts';
import { native } from './native.ts';
import { proxy } from './proxy.ts';
import { ruby } from './ruby.ts';
import { php } from './php.ts';
import { beam } from './beam.ts';

export const KINDS = { fastapi, postgres, redis, pgbouncer, prometheus, grafana, alertmanager, generic, jvm, python, node, native, proxy, mysql, mongodb, clickhouse, rabbitmq, memcached, minio, dragonfly, ruby, php, beam };

// Each entry is the module of its own kind, complete (a statement, not an annotation: the kinds'
// own types are what ServiceKind and the settings types are read from).
KINDS satisfies { readonly [K in ServiceKind]: KindEngine<K> };

/** The tuning result type of a kind (never for kinds without tuning). */
export type TuningOf<K extends ServiceKind> = (typeof KINDS)[K] extends KindEngine<K, infer _S, infer T> ? T : never;

/** A kind's module, typed by its kind (the registry's own types are a union). */
export function kindOf<K extends ServiceKind>(kind: K): KindEngine<K, (typeof KINDS)[K]['settings'], TuningOf<K>> {
  return KINDS[kind] as unknown as KindEngine<K, (typeof KINDS)[K]['settings'], TuningOf<K>>;
}

/** The tuning of a service's kind, when it has one. */
export function tuningOf<K extends ServiceKind>(s: ServiceOf<K>): KindTuning<K, TuningOf<K>> | undefined {
  return kindOf(s.kind as K).tuning;
}

/** The memory of one service in one scenario, by its kind's model. */
export function serviceUsage(s: Plan['services'][number], ctx: ModelContext): Usage {
  return kindOf(s.kind).usage(s as never, ctx);
}

/** What a service's usage rests on: its kind's say (KindEngine.basis), else evidence when the plan carries it, else the model. */
export function basisOf(s: Plan['services'][number]): Basis {
  return kindOf(s.kind).basis?.(s as never) ?? (s.observed ? 'observed' : 'modelled');
}
