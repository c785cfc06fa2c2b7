import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { AUDIT_KIND_NAMES, AUDIT_KINDS, type AuditEntryView } from '../../shared/index.ts';
import { initAccountBar } from '../shared-ui/accountBar.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { api } from '../shared-ui/api.ts';
import { whileBusy } from '../shared-ui/busy.ts';
import { byId, element } from '../shared-ui/dom.ts';
import { cell, timeCell } from '../shared-ui/table.ts';

/** The audit page: newest entries first, filters, paging backwards, CSV export and chain verification. */
const alert = new AlertBanner(byId('audit-alert', HTMLElement));
const body = byId('audit-body', HTMLElement);
const older = byId('load-older', HTMLButtonElement);
let nextBefore: number | null = null;

// From the catalogue, so a new kind can be filtered on the day it is first recorded.
byId('filter-kind', HTMLSelectElement).append(...AUDIT_KIND_NAMES.map((kind) => {
  const option = new Option(kind, kind);
  option.title = AUDIT_KINDS[kind];
  return option;
}));

function filters(): URLSearchParams {
  const params = new URLSearchParams();
  const text = (id: string) => byId(id, HTMLInputElement).value.trim();
  if (text('filter-actor')) params.set('actor', text('filter-actor').toLowerCase());
  if (text('filter-zone')) params.set('zone', text('filter-zone').toUpperCase());
  const kind = byId('filter-kind', HTMLSelectElement).value;
  if (kind) params.set('kind', kind);
  for (const [id, name] of [['filter-from', 'from'], ['filter-to', 'to']] as const) {
    const value = byId(id, HTMLInputElement).value;
    if (value) params.set(name, new Date(value).toISOString());
  }
  return params;
}

/** A value of a detail as a person reads it: text as is, lists joined, anything deeper as compact JSON. */
function readable(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

/** The detail as `name value` pairs (the raw JSON on hover, for copying into a report). */
function detailCell(detail: Record<string, unknown>): HTMLTableCellElement {
  const td = cell('', 'audit-detail small');
  td.title = JSON.stringify(detail);
  const pairs = Object.entries(detail);
  if (pairs.length === 0) td.textContent = '–';
  for (const [name, value] of pairs) {
    const pair = element('span', { className: 'audit-pair' });
    pair.append(element('span', { className: 'audit-key', text: name }), ` ${readable(value)}`);
    td.append(pair);
  }
  return td;
}

function row(entry: AuditEntryView): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.kind = entry.kind;
  tr.dataset.outcome = entry.outcome;
  tr.append(
    cell(String(entry.id)), timeCell(entry.at), cell(entry.kind), cell(entry.actor ?? '–'), cell(entry.zone ?? '–'),
    cell(entry.address ?? '–'), cell(entry.outcome, entry.outcome === 'denied' ? 'text-danger' : ''),
    detailCell(entry.detail),
  );
  return tr;
}

const COLUMNS = 8;
/** Filters of the rows on screen: what the CSV export exports, not what is typed but not applied. */
let shownFilters = new URLSearchParams();
/** Ids of the newest and oldest rows on screen. */
let shownIds: { newest: number; oldest: number } | null = null;

/** The CSV of exactly the rows on screen: their filters, bounded by their newest and oldest ids. */
function exportAddress(): string {
  const params = new URLSearchParams(shownFilters);
  if (shownIds) {
    params.set('before', String(shownIds.newest + 1));
    params.set('after', String(shownIds.oldest - 1));
  }
  return `/api/audit.csv?${params}`;
}

function emptyRow(): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.empty = 'true';
  const td = cell(shownFilters.size > 0 ? 'No entries match these filters.' : 'The trail has no entries yet.', 'text-center text-secondary py-3');
  td.colSpan = COLUMNS;
  tr.append(td);
  return tr;
}

async function load(append: boolean): Promise<void> {
  const params = filters();
  if (append && nextBefore !== null) params.set('before', String(nextBefore));
  params.set('limit', '100');
  const reply = await api<{ entries: AuditEntryView[]; nextBefore: number | null }>('GET', `/api/audit?${params}`);
  if (!reply.ok) {
    alert.show(reply.error.code, reply.error.message);
    return;
  }
  alert.hide();
  const { entries } = reply.data;
  if (!append) {
    shownFilters = filters();
    shownIds = null;
  }
  if (entries.length > 0) shownIds = { newest: shownIds?.newest ?? entries[0]!.id, oldest: entries.at(-1)!.id };
  const rows = entries.map(row);
  if (append) body.append(...rows);
  else body.replaceChildren(...(rows.length > 0 ? rows : [emptyRow()]));
  const csv = byId('export-csv', HTMLAnchorElement);
  csv.href = exportAddress();
  csv.classList.toggle('disabled', shownIds === null);
  csv.setAttribute('aria-disabled', String(shownIds === null));
  nextBefore = reply.data.nextBefore;
  older.hidden = nextBefore === null;
}

byId('audit-filter', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void whileBusy(byId('audit-filter', HTMLFormElement), () => load(false));
});
older.addEventListener('click', () => void load(true));
byId('verify-chain', HTMLButtonElement).addEventListener('click', () => {
  const result = byId('verify-result', HTMLElement);
  result.textContent = 'Verifying…';
  void api<{ ok: boolean; checked: number; firstBadId: number | null; reason: string | null }>('GET', '/api/audit/verify').then((reply) => {
    if (!reply.ok) {
      result.textContent = reply.error.message;
      return;
    }
    result.dataset.ok = String(reply.data.ok);
    result.className = reply.data.ok ? 'text-success' : 'text-danger';
    result.textContent = reply.data.ok
      ? `Chain intact: ${reply.data.checked} entries verified.`
      : `Chain broken at entry ${reply.data.firstBadId}: ${reply.data.reason}.`;
  });
});

void initAccountBar('audit').then((me) => { if (me) void load(false); });
