/**
 * The registry of service kinds in the formats: one line per kind, checked against KindFormat for
 * every kind the engine has (src/engine/kinds/index.ts): a kind the engine knows and the formats
 * do not is a compile error naming it. The order of this object is the order in which compose
 * import tries commands (an app server before redis-server before postgres -c before pgbouncer);
 * image rules do not overlap, and files are written in the engine registry's order.
 */
import type { ServiceKind } from '../../engine/schema.ts';
import type { KindFormat } from './kind.ts';
import { fastapi } from './fastapi.ts';
import { redis } from './redis.ts';
import { postgres } from './postgres.ts';
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

export const KIND_FORMATS = { fastapi, redis, postgres, pgbouncer, prometheus, grafana, alertmanager, generic, jvm, python, node, ruby, php, beam, native, proxy, mysql, mongodb, clickhouse, rabbitmq, memcached, minio, dragonfly } satisfies { readonly [K in ServiceKind]: KindFormat<K> };

/** A kind's formats module, typed by its kind. */
export function formatOf<K extends ServiceKind>(kind: K): KindFormat<K> {
  return KIND_FORMATS[kind] as unknown as KindFormat<K>;
}
