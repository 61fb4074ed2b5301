// Reach over time as a line chart (Chart.js): Comuni and small Comuni
// covered, and the share of inhabitants reached, with the numbers also in a
// table for screen readers and copying.

import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

import { t } from './i18n.js';

export class Timeline {
  // fmt: the formatters of the page's language (i18n.js).
  constructor(canvas, table, fmt) {
    this.fmt = fmt;
    this.canvas = canvas;
    this.table = table;
    this.chart = null;
  }

  // planned: optional, per point the Comuni the service's rollout plan had
  // due by that date (programme.js plannedSeries), drawn against coverage.
  show(points, planned = null) {
    const { num, pct, shortDate } = this.fmt;
    const labels = points.map((p) => shortDate(p.date));
    const data = {
      labels,
      datasets: [
        { label: t('timeline.comuni'), data: points.map((p) => p.covered.comuni), borderColor: '#1f6fb2', backgroundColor: '#1f6fb2', yAxisID: 'y', pointRadius: 2 },
        { label: t('timeline.smallComuni'), data: points.map((p) => p.covered.smallComuni), borderColor: '#e08214', backgroundColor: '#e08214', yAxisID: 'y', pointRadius: 2, borderDash: [5, 3] },
        { label: t('timeline.inhabitantsShare'), data: points.map((p) => p.inhabitantsShare), borderColor: '#5e3c99', backgroundColor: '#5e3c99', yAxisID: 'share', pointRadius: 0 },
        ...(planned ? [{ label: t('timeline.planned'), data: planned.map((p) => p.comuni), borderColor: '#555555', backgroundColor: '#555555', yAxisID: 'y', pointRadius: 3, pointStyle: 'triangle', borderDash: [2, 2], stepped: true }] : []),
      ],
    };
    const options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { beginAtZero: true, title: { display: true, text: t('timeline.colComuni') }, ticks: { callback: (v) => num(v) } },
        share: { position: 'right', beginAtZero: true, suggestedMax: 1, grid: { drawOnChartArea: false }, ticks: { callback: (v) => pct(v) }, title: { display: true, text: t('timeline.axisShare') } },
      },
      plugins: {
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.dataset.yAxisID === 'share' ? pct(ctx.parsed.y) : num(ctx.parsed.y)}` } },
      },
    };
    if (this.chart) {
      this.chart.data = data;
      this.chart.update();
    } else {
      this.chart = new Chart(this.canvas, { type: 'line', data, options });
    }
    this.canvas.dataset.points = String(points.length);
    this.canvas.dataset.planned = planned ? 'true' : 'false';

    const rows = points.map((p, i) => {
      const tr = document.createElement('tr');
      tr.dataset.date = p.date;
      tr.dataset.comuni = String(p.covered.comuni);
      if (planned) {
        tr.dataset.planned = String(planned[i].comuni);
        tr.dataset.plannedInhabitants = String(planned[i].inhabitants);
      }
      [shortDate(p.date), num(p.covered.comuni), num(p.covered.smallComuni), num(p.covered.inhabitants), pct(p.inhabitantsShare), num(p.services), planned ? num(planned[i].comuni) : '–', planned ? num(planned[i].inhabitants) : '–'].forEach((v, k) => {
        const td = document.createElement('td');
        td.textContent = v;
        if (k > 0) td.className = 'num';
        tr.append(td);
      });
      return tr;
    });
    this.table.tBodies[0].replaceChildren(...rows);
  }
}
