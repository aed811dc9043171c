/**
 * Recognition of the Ruby, PHP and BEAM kinds on services taken from the public corpus
 * (test/corpus/…, cited per case): the kind, the server and the pool each is read with, and the
 * helpers on the same images that are not the server.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { composeImport } from '../compose-import/index.ts';
import { composeEdit } from '../compose-import/edit.ts';
import type { Plan } from '../../engine/schema.ts';

function imported(text: string, files: Record<string, string> = {}, environment: Record<string, string> = {}) {
  const r = composeImport(text, { readFile: (p) => files[p], environment });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}
const byName = (r: ReturnType<typeof imported>, name: string) => {
  const s = r.plan.services.find((x) => x.name === name)!;
  return { kind: s.kind, settings: s.settings as Record<string, unknown>, note: r.services.find((x) => x.service === name)! };
};

describe('ruby', () => {
  it('Mastodon (test/corpus/mastodon): Puma with its config/puma.rb default of 2 workers and a master; Sidekiq one process; the catalogue figure', () => {
    const r = imported(`services:
  web:
    image: ghcr.io/mastodon/mastodon:v4.3.17
    command: bundle exec puma -C config/puma.rb
  sidekiq:
    image: ghcr.io/mastodon/mastodon:v4.3.17
    command: bundle exec sidekiq
`);
    const web = byName(r, 'web');
    expect(web.kind).toBe('ruby');
    expect(web.settings).toMatchObject({ server: 'puma', processes: 2, master: true, app: 'mastodon', perProcess: 220 });
    expect(web.note.read.join('\n')).toMatch(/config\/puma\.rb/);
    const sidekiq = byName(r, 'sidekiq');
    expect(sidekiq.settings).toMatchObject({ server: 'sidekiq', processes: 1, master: false });
  });

  it('WEB_CONCURRENCY and -t, -c are read; single mode without workers', () => {
    const r = imported(`services:
  a:
    image: ruby:3.3
    command: bundle exec puma -t 4:8
    environment: { WEB_CONCURRENCY: "3" }
  b:
    image: ruby:3.3
    command: bundle exec rails server -b 0.0.0.0
  c:
    image: ruby:3.3
    command: bundle exec sidekiq -c 12
`);
    expect(byName(r, 'a').settings).toMatchObject({ server: 'puma', processes: 3, master: true, threads: 8 });
    expect(byName(r, 'b').settings).toMatchObject({ server: 'puma', processes: 1, master: false });
    expect(byName(r, 'b').note.warnings.join('\n')).toMatch(/single mode/);
    expect(byName(r, 'c').settings).toMatchObject({ server: 'sidekiq', processes: 1, threads: 12 });
  });

  it("Zammad (test/corpus/zammad): the image's own commands, zammad-init / zammad-backup are not the Rails server, zammad-nginx is nginx", () => {
    const svc = (name: string) => `  ${name}:\n    image: ghcr.io/zammad/zammad:7.1.1-0035\n    command: ["${name}"]\n`;
    const r = imported(`services:\n${['zammad-railsserver', 'zammad-scheduler', 'zammad-websocket', 'zammad-init', 'zammad-backup', 'zammad-nginx'].map(svc).join('')}`);
    expect(byName(r, 'zammad-railsserver').settings).toMatchObject({ server: 'puma', app: 'zammad' });
    expect(byName(r, 'zammad-scheduler').settings).toMatchObject({ server: 'ruby', processes: 1 });
    expect(byName(r, 'zammad-websocket').kind).toBe('ruby');
    for (const helper of ['zammad-init', 'zammad-backup']) {
      expect(byName(r, helper).kind, helper).toBe('generic');
      expect(byName(r, helper).note.why).toMatch(/not the server/);
    }
    // zammad-nginx execs nginx (the image's entrypoint): the proxy kind, nginx, not a generic guess.
    const nginx = byName(r, 'zammad-nginx');
    expect(nginx.kind).toBe('proxy');
    expect(nginx.settings).toMatchObject({ server: 'nginx' });
    expect(nginx.note.why).toMatch(/its command zammad-nginx starts nginx/);
  });

  it('OpenProject (test/corpus/openproject): ./docker/prod/web is Puma with RAILS_MAX_THREADS, the seeder a helper', () => {
    const r = imported(`services:
  web:
    image: openproject/openproject:14-slim
    command: "./docker/prod/web"
    environment: { RAILS_MAX_THREADS: "16" }
  worker:
    image: openproject/openproject:14-slim
    command: "./docker/prod/worker"
  seeder:
    image: openproject/openproject:14-slim
    command: "./docker/prod/seeder"
`);
    expect(byName(r, 'web').settings).toMatchObject({ server: 'puma', threads: 16 });
    expect(byName(r, 'worker').settings).toMatchObject({ server: 'ruby' });
    expect(byName(r, 'seeder').kind).toBe('generic');
  });

  it('a Puma worker count the plan changes is written as WEB_CONCURRENCY', () => {
    const text = 'services:\n  web:\n    image: ruby:3.3\n    command: bundle exec puma\n    environment:\n      WEB_CONCURRENCY: "4"\n    mem_limit: 1g\n';
    const r = imported(text);
    const plan: Plan = { ...r.plan, services: r.plan.services.map((s) => (s.kind === 'ruby' ? { ...s, settings: { ...s.settings, processes: 2 } } : s)) };
    const out = composeEdit(text, plan);
    if (!out.ok) throw new Error(JSON.stringify(out));
    expect(out.text).toMatch(/WEB_CONCURRENCY: "2"/);
  });
});

describe('php', () => {
  it('Nextcloud (test/corpus/nextcloud): fpm from the tag, the default FPM pool, memory_limit 512M, the catalogue figure; its cron is one PHP process', () => {
    const r = imported(`services:
  app:
    image: nextcloud:fpm-alpine
    environment: [MYSQL_HOST=db, REDIS_HOST=redis]
  cron:
    image: nextcloud:fpm-alpine
    entrypoint: /cron.sh
`);
    expect(byName(r, 'app').settings).toMatchObject({ server: 'fpm', processes: 5, idle: 2, memoryLimit: 512, perProcess: 55, app: 'nextcloud' });
    expect(byName(r, 'app').note.warnings.join('\n')).toMatch(/pm\.max_children = 5/);
    expect(byName(r, 'cron').settings).toMatchObject({ server: 'cli', processes: 1, master: false });
  });

  it("mailcow's php-fpm (test/corpus/mailcow): its two pools in the mounted pools.conf are summed (15 + 50 children)", () => {
    const conf = readFileSync(new URL('../../../test/corpus/mailcow/data/conf/phpfpm/php-fpm.d/pools.conf', import.meta.url), 'utf8');
    const r = imported(`services:
  php-fpm-mailcow:
    image: ghcr.io/mailcow/phpfpm:8.2.29-3
    command: "php-fpm -d date.timezone=UTC -d expose_php=0"
    volumes:
      - ./data/conf/phpfpm/php-fpm.d/pools.conf:/usr/local/etc/php-fpm.d/z-pools.conf:Z
`, { './data/conf/phpfpm/php-fpm.d/pools.conf': conf });
    const s = byName(r, 'php-fpm-mailcow');
    expect(s.kind).toBe('php');
    expect(s.settings).toMatchObject({ server: 'fpm', pm: 'dynamic', processes: 65, idle: 12 });
  });

  it('Firefly III (test/corpus/firefly-iii) is PHP-FPM with its base image\'s pool; php:apache is Apache\'s prefork as Debian ships it; Appwrite (test/corpus/appwrite) PHP on Swoole; the php image by tag and command', () => {
    const r = imported(`services:
  app:
    image: fireflyiii/core:latest
  site:
    image: php:8.3-apache
  mine:
    image: fireflyiii/core:latest
    environment: { PHP_MEMORY_LIMIT: 512M }
  appwrite-worker:
    image: appwrite/appwrite:latest
    entrypoint: worker
  fpm:
    image: php:8.3-fpm
  queue:
    image: php:8.3-cli
    command: php artisan queue:work
`);
    // serversideup/php:8.4-fpm-nginx's pool (PHP_FPM_PM_MAX_CHILDREN 20, START_SERVERS 2, PHP_MEMORY_LIMIT 256M), not a prefork pool of 150.
    expect(byName(r, 'app').settings).toMatchObject({ server: 'fpm', processes: 20, idle: 2, memoryLimit: 256 });
    expect(byName(r, 'app').note.read.join('\n')).toMatch(/serversideup/);
    expect(byName(r, 'app').note.warnings.join('\n')).not.toMatch(/pool's size is not in the compose file/);
    expect(byName(r, 'mine').settings).toMatchObject({ server: 'fpm', processes: 20, memoryLimit: 512 });
    expect(byName(r, 'site').settings).toMatchObject({ server: 'apache', processes: 150, idle: 5 });
    expect(byName(r, 'appwrite-worker').settings).toMatchObject({ server: 'swoole', app: 'appwrite' });
    expect(byName(r, 'fpm').settings).toMatchObject({ server: 'fpm' });
    expect(byName(r, 'queue').settings).toMatchObject({ server: 'cli', processes: 1 });
  });

  it('-d memory_limit= on the command wins over PHP_MEMORY_LIMIT; -1 is none', () => {
    const r = imported(`services:
  a:
    image: php:8.3-fpm
    command: php-fpm -d memory_limit=256M
    environment: { PHP_MEMORY_LIMIT: 1G }
  b:
    image: php:8.3-fpm
    environment: { PHP_MEMORY_LIMIT: "-1" }
`);
    expect(byName(r, 'a').settings.memoryLimit).toBe(256);
    expect(byName(r, 'b').settings.memoryLimit).toBe(0);
    expect(byName(r, 'b').note.read.join('\n')).toMatch(/none/);
  });
});

describe('beam', () => {
  it('Plausible (test/corpus/plausible): its image with the catalogue figure; Supabase Realtime (test/corpus/supabase) on the kind default, assumed', () => {
    const r = imported(`services:
  plausible:
    image: plausible/analytics:v2.0
    command: sh -c "sleep 10 && /entrypoint.sh db createdb && /entrypoint.sh db migrate && /entrypoint.sh run"
  realtime:
    image: supabase/realtime:v2.78.15
    environment: { PORT: 4000, ERL_AFLAGS: "-proto_dist inet_tcp" }
`);
    expect(byName(r, 'plausible')).toMatchObject({ kind: 'beam', settings: { memory: 200, app: 'plausible', language: 'elixir' } });
    expect(byName(r, 'realtime')).toMatchObject({ kind: 'beam', settings: { app: 'supabase-beam' } });
    expect(byName(r, 'realtime').note.warnings.join('\n')).toMatch(/no published figure/);
  });

  it('a service built from source that sets ERL_AFLAGS is the BEAM; mix phx.server on another image too', () => {
    const r = imported(`services:
  a:
    build: .
    environment: { ERL_AFLAGS: "-proto_dist inet_tcp" }
  b:
    image: example/app
    command: mix phx.server
`);
    expect(byName(r, 'a').kind).toBe('beam');
    expect(byName(r, 'b').kind).toBe('beam');
  });
});
