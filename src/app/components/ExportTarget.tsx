/**
 * The export tab's choice of what runs the stack (issue 14): Docker Compose, a Docker Swarm stack
 * or Kubernetes manifests, the same choice as `headroom export --target`. A thin radio group: the
 * files come from the export (formats/export), and it loads with the tab, not the page.
 */
import { useId } from 'react';
import type { Target } from '../../formats/export/index.ts';

const CHOICES: ReadonlyArray<{ target: Target; label: string; effect: string }> = [
  { target: 'compose', label: 'Docker Compose', effect: 'docker-compose-*.yml: mem_limit and deploy.resources, OOM order, healthchecks, mounts.' },
  { target: 'swarm', label: 'Docker Swarm', effect: 'docker-stack-*.yml: deploy.resources limits and reservations, placement constraints from the hosts’ labels, a /dev/shm tmpfs, configs, external secrets.' },
  { target: 'kubernetes', label: 'Kubernetes', effect: 'kubernetes-*.yaml: StatefulSets and Deployments with requests and limits in Mi (databases Guaranteed), /dev/shm as a memory emptyDir, ConfigMaps, Secrets by reference, a Service per port.' },
];

export default function ExportTarget({ value, onChange }: { value: Target; onChange: (t: Target) => void }) {
  const name = useId();
  const effect = CHOICES.find((c) => c.target === value)!.effect;
  return (
    <fieldset className="export-target">
      <legend>Runs on</legend>
      {CHOICES.map((c) => (
        <label key={c.target}>
          <input type="radio" name={name} value={c.target} checked={value === c.target} onChange={() => onChange(c.target)} /> {c.label}
        </label>
      ))}
      <span className="effect">{effect}</span>
    </fieldset>
  );
}
