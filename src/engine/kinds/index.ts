/**
 * Every service kind, loaded and registered at once: what the CLI, the formats and the tests use
 * (engine/schema.ts imports this module, so any code that parses a plan through it has every kind).
 * The registry itself, and loading kinds by need (the page), is kinds/registry.ts. Each entry is
 * checked against KindEngine: the compiler names what a new kind lacks.
 */
import type { ServiceKind } from './registry.ts';
import type { KindEngine } from './kind.ts';
import { kindsRegister } from './registry.ts';
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

kindsRegister(KINDS);

export { kindOf, kindCountsReplicas, tuningOf, serviceUsage, basisOf, kindsRegistered, SERVICE_KINDS } from './registry.ts';
export type { TuningOf } from './registry.ts';
