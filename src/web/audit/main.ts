import 'bootstrap/dist/css/bootstrap.min.css';
import '../styles/theme.css';
import { AUDIT_KIND_NAMES, AUDIT_KINDS, type AuditEntryView } from '../../shared/index.ts';
import { initAccountBar } from '../shared-ui/accountBar.ts';
import { AlertBanner } from '../shared-ui/alertBanner.ts';
import { api } from '../shared-ui/api.ts';
import { byId } from '../shared-ui/dom.ts';
import { cell, when } from '../shared-ui/table.ts';

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

function row(entry: AuditEntryView): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.kind = entry.kind;
  tr.dataset.outcome = entry.outcome;
  tr.append(
    cell(String(entry.id)), cell(when(entry.at)), cell(entry.kind), cell(entry.actor ?? '–'), cell(entry.zone ?? '–'),
    cell(entry.address ?? '–'), cell(entry.outcome, entry.outcome === 'denied' ? 'text-danger' : ''),
    cell(JSON.stringify(entry.detail), 'audit-detail font-monospace small'),
  );
  return tr;
}

async function load(append: boolean): Promise<void> {
  const params = filters();
  byId('export-csv', HTMLAnchorElement).href = `/api/audit.csv?${params}`;
  if (append && nextBefore !== null) params.set('before', String(nextBefore));
  params.set('limit', '100');
  const reply = await api<{ entries: AuditEntryView[]; nextBefore: number | null }>('GET', `/api/audit?${params}`);
  if (!reply.ok) {
    alert.show(reply.error.code, reply.error.message);
    return;
  }
  alert.hide();
  const rows = reply.data.entries.map(row);
  if (append) body.append(...rows);
  else body.replaceChildren(...rows);
  nextBefore = reply.data.nextBefore;
  older.hidden = nextBefore === null;
}

byId('audit-filter', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void load(false);
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
