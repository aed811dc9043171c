/** One-shot services on import (one-shot.ts): one test per signal, and services that keep running. */
import { describe, expect, it } from 'vitest';
import { composeImport } from './index.ts';
import { planTextParse, planToInput, planToText } from '../plan-file.ts';

function imported(text: string) {
  const r = composeImport(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const byName = Object.fromEntries(r.services.map((n) => [n.service, { note: n, input: r.input.services.find((s) => s.name === n.service)! }]));
  return { r, byName, marked: r.input.services.filter((s) => s.oneShot === true).map((s) => s.name).sort() };
}

describe('one-shot services on import', () => {
  it('a service another waits on with service_completed_successfully is one-shot, whatever its command', () => {
    const { byName, marked } = imported([
      'services:',
      '  migrate:',
      '    image: myapp:1',
      '    command: ["python", "manage.py", "serve-forever-looking-name"]',
      '  db:',
      '    image: postgres:16',
      '  web:',
      '    image: myapp:1',
      '    depends_on:',
      '      db: {condition: service_healthy}',
      '      migrate: {condition: service_completed_successfully}',
    ].join('\n'));
    expect(marked).toEqual(['migrate']);
    expect(byName.migrate!.note.oneShot).toBe('web waits for it with condition: service_completed_successfully');
    expect(byName.migrate!.note.read.join(' ')).toMatch(/runs once at startup \(web waits for it .*\): not counted in the steady state/);
    // service_healthy waits for a running service: db keeps running.
    expect(byName.db!.input.oneShot).toBeUndefined();
  });

  it('a container whose whole command is true or : is one-shot (the data-only rule, with its 0 MiB)', () => {
    const { byName, marked } = imported('services:\n  data:\n    image: busybox\n    command: /bin/true\n  colon:\n    image: busybox\n    entrypoint: [":"]\n  script:\n    image: busybox\n    command: ["true", "&&", "httpd"]\n');
    expect(marked).toEqual(['colon', 'data']);
    expect(byName.data!.input.settings).toEqual({ image: 'busybox', usage: { low: 0, typical: 0, high: 0 } });
    expect(byName.data!.note.oneShot).toBe('its command /bin/true exits at once');
    expect(byName.script!.input.oneShot).toBeUndefined();
  });

  it('restart on-failure or "no" with a task word in the name or command is one-shot (zammad-init, rails db:migrate)', () => {
    const { byName, marked } = imported([
      'services:',
      '  zammad-init:',
      '    image: ghcr.io/zammad/zammad:7',
      '    command: ["zammad-init"]',
      '    restart: on-failure',
      '  schema:',
      '    image: ruby:3.3',
      '    command: bundle exec rails db:migrate',
      '    restart: "no"',
      '  buckets:',
      '    image: minio/mc',
      '    entrypoint: ["/bin/sh", "-c", "createbuckets"]',
      '    restart: on-failure:3',
    ].join('\n'));
    expect(marked).toEqual(['buckets', 'schema', 'zammad-init']);
    expect(byName['zammad-init']!.note.oneShot).toBe('restart: on-failure and its name zammad-init names a task that ends');
    expect(byName.schema!.note.oneShot).toBe('restart: no and its command db:migrate names a task that ends');
  });

  it('long-running services are not marked: on-failure without a task word, a task word with restart always, no restart at all', () => {
    const { marked } = imported([
      'services:',
      '  api:',
      '    image: myapp:1',
      '    command: ["gunicorn", "app:app"]',
      '    restart: on-failure',
      '  db-init:',
      '    image: postgres:16',
      '    restart: always',
      '  setup:',
      '    image: myapp:1',
      '    command: ["setup"]',
      '  worker:',
      '    image: myapp:1',
      '    restart: "no"',
      '    command: ["celery", "worker"]',
      '  web:',
      '    image: myapp:1',
      '    depends_on: [api, db-init]',
    ].join('\n'));
    expect(marked).toEqual([]);
  });

  it('the plan file keeps oneShot, with a comment saying what it means', () => {
    const { r } = imported('services:\n  init:\n    image: busybox\n    command: ["sh", "-c", "chown -R 1000 /data"]\n  app:\n    image: myapp:1\n    depends_on:\n      init:\n        condition: service_completed_successfully\n');
    const text = planToText(planToInput(r.plan));
    expect(text).toMatch(/oneShot: true # runs once at startup, not counted in the steady state/);
    const again = planTextParse(text);
    if (!again.ok) throw new Error(JSON.stringify(again.issues));
    expect(again.plan.services.map((s) => [s.name, s.oneShot === true])).toEqual([['init', true], ['app', false]]);
  });
});
