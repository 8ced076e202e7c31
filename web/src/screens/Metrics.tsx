import { useEffect, useRef, useState } from 'react';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { qs } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Card, Load } from '../ui.tsx';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

interface MetricValue { value: number | null; previous: number | null; unit?: string; [k: string]: unknown }
interface MetricsAnswer { period: { from: string; to: string }; previous: { from: string; to: string }; metrics: Record<string, MetricValue> }
interface AlertRule { id: string; metric: string; op?: string; comparator?: string; threshold: number; enabled?: boolean }

const charted: Array<[string, string]> = [
  ['answerRate', 'Call answer rate'],
  ['speedToLead', 'Speed to lead'],
  ['leadDecay', 'Lead decay'],
  ['followUpCoverage', 'Follow-up coverage'],
  ['bookingConversion', 'Booking conversion'],
  ['reviewVelocity', 'Review velocity'],
];
const others: Array<[string, string]> = [['noShowRate', 'No-show rate'], ['reactivation', 'Reactivation'], ['automationRevenue', 'Automation revenue']];

const show = (v: number | null | undefined, unit?: string) => (v === null || v === undefined ? '–' : unit === 'ratio' || (v <= 1 && v >= 0 && unit !== 'count' && unit !== 'minutes' && unit !== 'seconds' && unit !== 'cents') ? `${Math.round(v * 1000) / 10}%` : unit === 'cents' ? `$${Math.round(v / 100).toLocaleString('en-US')}` : `${Math.round(v * 10) / 10}${unit ? ` ${unit}` : ''}`);

export function Metrics() {
  const [days, setDays] = useState(30);
  const to = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const from = new Date(to.getTime() - days * 86_400_000);
  const range = { from: from.toISOString(), to: to.toISOString() };
  const metrics = useApi<MetricsAnswer>(`/insights/metrics${qs(range)}`);
  const rules = useApi<{ data: AlertRule[] }>('/alert-rules');
  const bucket = days > 120 ? 'week' : 'day';
  return (
    <>
      <h1>Metrics</h1>
      <div className="filters">
        <div>
          <label htmlFor="metrics-days">Period</label>
          <select id="metrics-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90, 180, 365].map((d) => <option key={d} value={d}>last {d} days</option>)}
          </select>
        </div>
      </div>
      <Load state={metrics} what="Metrics">
        {(m) => (
          <>
            <div className="stats" data-testid="metric-tiles">
              {[...charted, ...others].map(([k, label]) => {
                const v = m.metrics[k];
                if (!v) return null;
                const delta = v.value !== null && v.previous !== null ? v.value - v.previous : null;
                return (
                  <div className="stat" key={k}>
                    <span>{label}</span>
                    <b>{show(v.value, v.unit)}</b>
                    <span className="muted">previous period {show(v.previous, v.unit)}{delta !== null && delta !== 0 && <> ({delta > 0 ? '▲' : '▼'})</>}</span>
                  </div>
                );
              })}
            </div>
            {charted.map(([k, label]) => (
              <MetricChart key={`${k}-${days}`} metric={k} label={label} from={range.from} to={range.to} days={days} bucket={bucket} rules={(rules.data?.data ?? []).filter((r) => r.metric === k && r.enabled !== false)} unit={m.metrics[k]?.unit} />
            ))}
          </>
        )}
      </Load>
    </>
  );
}

function MetricChart({ metric, label, from, to, days, bucket, rules, unit }: { metric: string; label: string; from: string; to: string; days: number; bucket: string; rules: AlertRule[]; unit?: string }) {
  const prevFrom = new Date(Date.parse(from) - days * 86_400_000).toISOString();
  const cur = useApi<{ data: Array<{ start: string; value: number | null }> }>(`/insights/series${qs({ metric, from, to, bucket })}`);
  const prev = useApi<{ data: Array<{ start: string; value: number | null }> }>(`/insights/series${qs({ metric, from: prevFrom, to: from, bucket })}`);
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || !cur.data) return;
    const chart = echarts.init(el.current);
    const current = cur.data.data;
    const previous = prev.data?.data ?? [];
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { data: ['This period', 'Previous period'] },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: current.map((p) => p.start.slice(0, 10)) },
      yAxis: { type: 'value' },
      series: [
        {
          name: 'This period',
          type: 'line',
          data: current.map((p) => p.value),
          markLine: rules.length ? { symbol: 'none', label: { formatter: (p: { value: number }) => `alert ${p.value}` }, lineStyle: { color: '#c62828', type: 'dashed' }, data: rules.map((r) => ({ yAxis: r.threshold, name: 'threshold' })) } : undefined,
        },
        { name: 'Previous period', type: 'line', lineStyle: { type: 'dotted' }, data: previous.map((p) => p.value) },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [cur.data, prev.data, rules]);
  return (
    <Card title={label} id={`chart-${metric}`}>
      <Load state={cur} what={`${label} series`}>
        {(s) => (
          <>
            <div ref={el} className="chart" role="img" aria-label={`${label}: ${s.data.length} points${rules.length ? `, alert threshold ${rules.map((r) => r.threshold).join(', ')}` : ''}${unit ? ` (${unit})` : ''}`} />
            {rules.length === 0 && <p className="muted">No alert threshold set for this metric.</p>}
          </>
        )}
      </Load>
    </Card>
  );
}
