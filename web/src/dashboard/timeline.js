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

const nf = new Intl.NumberFormat('en-GB');
const pf = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

export class Timeline {
  constructor(canvas, table) {
    this.canvas = canvas;
    this.table = table;
    this.chart = null;
  }

  show(points) {
    const labels = points.map((p) => p.date);
    const data = {
      labels,
      datasets: [
        { label: 'Comuni covered', data: points.map((p) => p.covered.comuni), borderColor: '#1f6fb2', backgroundColor: '#1f6fb2', yAxisID: 'y', pointRadius: 2 },
        { label: 'Small Comuni covered', data: points.map((p) => p.covered.smallComuni), borderColor: '#e08214', backgroundColor: '#e08214', yAxisID: 'y', pointRadius: 2, borderDash: [5, 3] },
        { label: 'Inhabitants reached (share)', data: points.map((p) => p.inhabitantsShare), borderColor: '#5e3c99', backgroundColor: '#5e3c99', yAxisID: 'share', pointRadius: 0 },
      ],
    };
    const options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        y: { beginAtZero: true, title: { display: true, text: 'Comuni' } },
        share: { position: 'right', beginAtZero: true, suggestedMax: 1, grid: { drawOnChartArea: false }, ticks: { callback: (v) => pf.format(v) }, title: { display: true, text: 'Share of inhabitants' } },
      },
      plugins: {
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.dataset.yAxisID === 'share' ? pf.format(ctx.parsed.y) : nf.format(ctx.parsed.y)}` } },
      },
    };
    if (this.chart) {
      this.chart.data = data;
      this.chart.update();
    } else {
      this.chart = new Chart(this.canvas, { type: 'line', data, options });
    }
    this.canvas.dataset.points = String(points.length);

    const rows = points.map((p) => {
      const tr = document.createElement('tr');
      for (const v of [p.date, nf.format(p.covered.comuni), nf.format(p.covered.smallComuni), nf.format(p.covered.inhabitants), pf.format(p.inhabitantsShare), String(p.services)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    });
    this.table.tBodies[0].replaceChildren(...rows);
  }
}
