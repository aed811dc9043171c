/**
 * The working set of a container: the one rule for every reading Headroom takes itself (`observe`
 * through Docker's stats API, src/cli/observe-evidence.ts; cgroup files, ./cgroup.ts). Pure.
 *
 * usage − inactive file pages, as `docker stats` computes it (docker/cli,
 * cli/command/container/stats_helpers.go, calculateMemUsageUnixNoCache) and cAdvisor's
 * container_memory_working_set_bytes (cadvisor container/libcontainer/handler.go): the
 * hierarchical `total_inactive_file` on cgroup v1 (usage_in_bytes counts the hierarchy too),
 * `inactive_file` on v2. When the inactive figure is not below the usage (a racy read of two
 * files), the usage itself, as docker stats does; cAdvisor would floor it at 0, and a sample of 0
 * would drag the percentiles a limit is planned from under what the container holds.
 */
export type InactiveFile = {
  /** memory.stat total_inactive_file (cgroup v1). */
  total?: number | undefined;
  /** memory.stat inactive_file (cgroup v2; v1's own, without children). */
  own?: number | undefined;
};

export function workingSetBytes(usage: number, inactive: InactiveFile): number {
  const i = inactive.total ?? inactive.own;
  return typeof i === 'number' && Number.isFinite(i) && i >= 0 && i < usage ? usage - i : usage;
}
