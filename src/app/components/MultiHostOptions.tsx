/**
 * The upgrade path's multi-host options (issue 14): two hosts of a tier against the one host of
 * their combined RAM — prices, users carried, what breaks first on each, and where place() puts each
 * service — from the engine's upgradePath (tiers.ts), the same selector `headroom capacity` prints.
 */
import type { UpgradePath } from '../../engine/tiers.ts';
import { sizeFormat } from '../../engine/units.ts';
import { moneyText, usersText } from '../derive/upgrade.ts';
import './Hosts.css';

const money = (v: number | null) => (v === null ? 'price unknown' : moneyText(v));

export function MultiHostOptions({ path }: { path: UpgradePath }) {
  if (path.multiHost.length === 0) return null;
  return (
    <section className="multi-host" aria-labelledby="multi-host-title" data-testid="multi-host">
      <h3 id="multi-host-title">Several hosts against one</h3>
      <p>
        The stack re-tuned at each user count and placed by the same rule as one host (each host keeps the free-memory criterion and its limits within its RAM), the database on its own host when that fits.
      </p>
      {/* `stack`: at phone width one block per option, each value under its column's name (styles.css). */}
      <table className="stack">
        <thead>
          <tr>
            <th scope="col">Hosts</th>
            <th scope="col">$/month</th>
            <th scope="col">Users carried</th>
            <th scope="col">First to break</th>
            <th scope="col">Placement</th>
          </tr>
        </thead>
        <tbody>
          {path.multiHost.flatMap((m) => [
            <tr key={`m${m.hostRamMiB}`} data-testid="multi-host-option" data-ram={m.hostRamMiB}>
              <th scope="row">{m.hosts} × {sizeFormat(m.hostRamMiB)}</th>
              <td data-label="$/month">{money(m.pricePerMonth)}</td>
              <td data-label="Users carried" data-testid="multi-host-users">{usersText(m.users, m.status)}</td>
              <td data-label="First to break">{m.binding?.message ?? 'nothing up to the cap'}</td>
              <td data-label="Placement" data-testid="multi-host-placement">
                {m.split.hosts.length === 0 ? 'no placement' : m.split.hosts.map((h) => `${h.name}: ${h.services.join(', ')}`).join(' · ')}
                {m.split.hosts.length > 0 && <> (for {usersText(m.split.tunedFor, 'breaks')} users)</>}
              </td>
            </tr>,
            <tr key={`a${m.hostRamMiB}`} data-testid="multi-host-against">
              <th scope="row">1 × {sizeFormat(m.against.ramMiB)}</th>
              <td data-label="$/month">{money(m.against.pricePerMonth)}</td>
              <td data-label="Users carried">{usersText(m.against.users, m.against.users === null ? 'holds' : 'breaks')}</td>
              <td data-label="First to break">{m.against.binding?.message ?? 'nothing up to the cap'}</td>
              <td data-label="Placement">everything on one host</td>
            </tr>,
          ])}
        </tbody>
      </table>
    </section>
  );
}
