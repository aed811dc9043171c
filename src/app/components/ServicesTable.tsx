/**
 * The services table (@tanstack/react-table): sortable columns, limits and names editable in
 * place, a settings panel per row, pages of 25 rows. While a cell has focus the row order is
 * frozen, so a row does not jump away from the field being typed into; it re-sorts when focus
 * leaves the table. Pages keep a big plan's page as light as a small one: what a browser pays per
 * keystroke grows with the rows on screen, not with the services in the plan.
 */
import { memo, useEffect, useMemo, useState, type FocusEvent } from 'react';
import {
  createColumnHelper,
  createPaginatedRowModel,
  createSortedRowModel,
  rowPaginationFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
  type ReactTable,
} from '@tanstack/react-table';
import { SERVICE_KINDS, type ServiceKind } from '../../engine/index.ts';
import { useRowViews } from '../derive/hooks.ts';
import type { RowView } from '../derive/views.ts';
import { useActions } from '../state/instance.ts';
import { ServiceRow } from './ServiceRow.tsx';

const features = tableFeatures({
  rowSortingFeature,
  rowPaginationFeature,
  sortedRowModel: createSortedRowModel(),
  paginatedRowModel: createPaginatedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
});

/** Rows per page; "all" is a page as large as any plan. */
const PAGE_SIZES = [25, 50, 100] as const;
const ALL = 100_000;
const helper = createColumnHelper<typeof features, RowView>();
const columns = helper.columns([
  helper.accessor('name', { header: 'Service', sortFn: 'alphanumeric' }),
  helper.accessor('kind', { header: 'Kind', sortFn: 'alphanumeric' }),
  // No limit sorts as the largest: only the host bounds it.
  helper.accessor((r) => r.limitMiB ?? Number.MAX_VALUE, { id: 'limit', header: 'Limit', sortFn: 'basic' }),
  helper.accessor('typicalMiB', { id: 'usage', header: 'Usage low–typical–high', sortFn: 'basic' }),
  helper.accessor('headroomMiB', { id: 'headroom', header: 'Headroom', sortFn: 'basic' }),
  helper.accessor('riskRank', { id: 'risk', header: 'Risk', sortFn: 'basic', sortDescFirst: true }),
  helper.display({ id: 'actions', header: 'Actions', enableSorting: false }),
]);

/** Fixed column widths: with table-layout fixed, an edit in one row does not re-measure every row. */
const COL_WIDTHS = ['19%', '10%', '11%', '24%', '10%', '11%', '15%'];

const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

function sameRows(a: readonly RowView[], b: readonly RowView[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i]?.id && r.name === b[i]?.name);
}

/** What the marks on each row's usage bar mean (the same marks, drawn the same way). */
const GaugeLegend = memo(function GaugeLegend() {
  return (
    <p className="gauge-legend" data-testid="gauge-legend">
      <span className="visually-hidden">The bar under each usage: </span>
      <span className="legend-item">
        <span aria-hidden="true" className="gauge-key gauge-key-range" /> low to high usage
      </span>
      <span className="legend-item">
        <span aria-hidden="true" className="gauge-key gauge-key-typical" /> typical usage
      </span>
      <span className="legend-item">
        <span aria-hidden="true" className="gauge-key gauge-key-limit" /> the limit
      </span>
    </p>
  );
});

/** Its own state only: a keystroke in a row does not render its list of kinds again. */
const AddService = memo(function AddService() {
  const { serviceAdd } = useActions();
  const [kind, setKind] = useState<ServiceKind>('generic');
  return (
    <div className="add-service">
      <label htmlFor="add-kind">New service of kind</label>
      <select id="add-kind" value={kind} onChange={(e) => setKind(e.target.value as ServiceKind)}>
        {SERVICE_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => serviceAdd(kind)}>
        + Add service
      </button>
    </div>
  );
});

type Table = ReactTable<typeof features, RowView>;

/** The caption (a table's first child, as HTML wants it) and the columns' widths: the same for every plan, rendered once. */
const TableFrame = memo(function TableFrame() {
  return (
    <>
      <caption className="visually-hidden">Each service’s memory limit, its usage range (low, typical, high), the headroom at typical usage and the risk of going over the limit. Column headers sort.</caption>
      <colgroup>
        {COL_WIDTHS.map((w, i) => (
          <col key={i} style={{ width: w }} />
        ))}
      </colgroup>
    </>
  );
});

/**
 * The column headers, rendered again when the sort changes (`sortKey`), not on every edit: the
 * headers change only with the sort (useTable hands out a new wrapper object on every render,
 * over the same table, so the wrapper is not compared).
 */
const Head = memo(function Head({ table }: { table: Table; sortKey: string }) {
  return (
    <thead>
      {table.getHeaderGroups().map((group) => (
        <tr key={group.id}>
          {group.headers.map((header) => {
            const sorted = header.column.getIsSorted();
            const canSort = header.column.getCanSort();
            return (
              <th key={header.id} scope="col" aria-sort={sorted ? ARIA_SORT[sorted] : canSort ? 'none' : undefined} className={`col-${header.column.id}`}>
                {canSort ? (
                  <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                    <table.FlexRender header={header} />
                    <span aria-hidden="true" className="sort-mark">
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '⇅'}
                    </span>
                  </button>
                ) : (
                  <table.FlexRender header={header} />
                )}
              </th>
            );
          })}
        </tr>
      ))}
    </thead>
  );
}, (a, b) => a.sortKey === b.sortKey);

type PagerTable = {
  state: { pagination: { pageIndex: number; pageSize: number } };
  getCanPreviousPage(): boolean;
  getCanNextPage(): boolean;
  previousPage(): void;
  nextPage(): void;
  setPageSize(size: number): void;
};

function Pager({ table, total }: { table: PagerTable; total: number }) {
  const { pageIndex, pageSize } = table.state.pagination;
  const from = Math.min(total, pageIndex * pageSize + 1);
  const to = Math.min(total, (pageIndex + 1) * pageSize);
  return (
    <nav className="pager" aria-label="Pages of services">
      <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
        ‹ Previous
      </button>
      <span data-testid="pager-range" aria-live="polite">
        Services {from}–{to} of {total}
      </span>
      <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
        Next ›
      </button>
      <label>
        Rows per page{' '}
        <select value={pageSize} onChange={(e) => table.setPageSize(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
          <option value={ALL}>all</option>
        </select>
      </label>
    </nav>
  );
}

export function ServicesTable() {
  const live = useRowViews();
  const [frozen, setFrozen] = useState<readonly RowView[] | null>(null);
  const data = frozen && sameRows(frozen, live) ? (frozen as RowView[]) : live;
  const table = useTable({
    features,
    columns,
    data,
    getRowId: (r) => r.id,
    // Every edit is new data: keep the page the user is on.
    autoResetPageIndex: false,
    initialState: { pagination: { pageIndex: 0, pageSize: PAGE_SIZES[0] } },
  });
  const pageCount = table.getPageCount();
  const { pageIndex } = table.state.pagination;
  useEffect(() => {
    // Removing services can leave the page past the end.
    if (pageIndex > 0 && pageIndex >= pageCount) table.setPageIndex(Math.max(0, pageCount - 1));
  }, [pageIndex, pageCount, table]);
  const liveById = useMemo(() => new Map(live.map((r) => [r.id, r])), [live]);
  const onFocus = () => {
    if (!frozen) setFrozen(live);
  };
  const onBlur = (e: FocusEvent<HTMLTableSectionElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFrozen(null);
  };
  const rows = table.getRowModel().rows;
  return (
    <section className="panel services" aria-labelledby="services-title">
      <h2 id="services-title">Services</h2>
      <div className="table-scroll">
        <table className="services-table">
          <TableFrame />
          <Head table={table} sortKey={JSON.stringify(table.state.sorting)} />
          <tbody onFocus={onFocus} onBlur={onBlur}>
            {rows.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="empty">
                  No services yet. Add one below, or load a preset from the top bar.
                </td>
              </tr>
            )}
            {rows.map((row) => {
              const view = liveById.get(row.id);
              return view ? <ServiceRow key={row.id} view={view} columns={columns.length} /> : null;
            })}
          </tbody>
        </table>
      </div>
      <GaugeLegend />
      {live.length > PAGE_SIZES[0] && <Pager table={table} total={live.length} />}
      <AddService />
    </section>
  );
}
