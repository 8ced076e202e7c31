import { can } from '../permissions.ts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { del, patch, post, qs } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

interface MetricValue { value: number | null; previous: number | null; [k: string]: unknown }
interface MetricsAnswer { period: { from: string; to: string }; previous: { from: string; to: string }; metrics: Record<string, MetricValue> }
interface AlertRule { id: string; name: string; metric: string; comparator: 'below' | 'above'; threshold: number; windowDays: number; enabled: boolean; state?: string; lastValue?: number | null }

const charted: Array<[string, string]> = [
  ['answerRate', 'Call answer rate'],
  ['speedToLead', 'Speed to lead (median, leads not answered live)'],
  ['leadDecay', 'Lead decay (not contacted within an hour)'],
  ['followUpCoverage', 'Follow-up coverage'],
  ['bookingConversion', 'Booking conversion'],
  ['reviewVelocity', 'Review velocity'],
];
const others: Array<[string, string]> = [['noShowRate', 'No-show rate'], ['reactivation', 'Reactivation bookings'], ['automationRevenue', 'Revenue from automations']];
const allMetrics = [...charted, ...others];
const rates = new Set(['answerRate', 'leadDecay', 'followUpCoverage', 'bookingConversion', 'noShowRate']);
/** Where a rise is bad news. */
const lowerIsBetter = new Set(['speedToLead', 'leadDecay', 'noShowRate']);

/** A metric value as an owner reads it: 64%, 12 min, $1,200, 2.5/week (review velocity is a weekly rate at any bucket size). */
export function formatMetric(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (rates.has(metric)) return `${Math.round(v * 1000) / 10}%`;
  if (metric === 'speedToLead') return v < 120 ? `${Math.round(v)} s` : `${Math.round(v / 60)} min`;
  if (metric === 'automationRevenue') return `$${Math.round(v / 100).toLocaleString('en-US')}`;
  if (metric === 'reviewVelocity') return `${Math.round(v * 100) / 100}/week`;
  return `${Math.round(v * 100) / 100}`;
}

const labelOf = (m: string) => allMetrics.find(([k]) => k === m)?.[1] ?? m;

export function Metrics() {
  const [days, setDays] = useState(30);
  const to = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
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
            <p className="muted">Compared with the {days} days before.</p>
            <div className="stats" data-testid="metric-tiles">
              {allMetrics.map(([k, label]) => {
                const v = m.metrics[k];
                if (!v) return null;
                const delta = v.value !== null && v.previous !== null ? v.value - v.previous : null;
                const good = delta === null || delta === 0 ? null : lowerIsBetter.has(k) ? delta < 0 : delta > 0;
                return (
                  <div className="stat" key={k}>
                    <span>{label}</span>
                    <b>{formatMetric(k, v.value)}</b>
                    <span className={good === null ? 'muted' : good ? 'ok' : 'error'}>
                      {good !== null && (delta! > 0 ? '▲ ' : '▼ ')}previous {formatMetric(k, v.previous)}
                    </span>
                    {k === 'speedToLead' && <SpeedDetail v={v} />}
                  </div>
                );
              })}
            </div>
            {charted.map(([k, label]) => (
              <MetricChart key={`${k}-${days}`} metric={k} label={label} from={range.from} to={range.to} days={days} bucket={k === 'reviewVelocity' ? 'week' : bucket} rules={(rules.data?.data ?? []).filter((r) => r.metric === k && r.enabled)} />
            ))}
          </>
        )}
      </Load>
      <AlertRules rules={rules} />
    </>
  );
}

/** How many leads were answered live (at 0 s) and so left out of the median shown. */
function SpeedDetail({ v }: { v: MetricValue }) {
  const leads = Number(v.leads ?? 0);
  const later = (v.notAnsweredLive as { leads?: number } | undefined)?.leads ?? 0;
  if (!leads) return null;
  return <span className="muted" data-testid="speed-detail">{leads - later} of {leads} leads answered live; {later} waited</span>;
}

function MetricChart({ metric, label, from, to, days, bucket, rules }: { metric: string; label: string; from: string; to: string; days: number; bucket: string; rules: AlertRule[] }) {
  const prevFrom = new Date(Date.parse(from) - days * 86_400_000).toISOString();
  const cur = useApi<{ data: Array<{ start: string; value: number | null }> }>(`/insights/series${qs({ metric, from, to, bucket })}`);
  const prev = useApi<{ data: Array<{ start: string; value: number | null }> }>(`/insights/series${qs({ metric, from: prevFrom, to: from, bucket })}`);
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || !cur.data) return;
    const chart = echarts.init(el.current);
    const current = cur.data.data;
    const previous = prev.data?.data ?? [];
    const fmt = (v: number) => formatMetric(metric, v);
    chart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '–' : fmt(v)) },
      legend: { top: 0, data: ['This period', 'Previous period'] },
      grid: { left: 60, right: 70, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: current.map((p) => p.start.slice(0, 10)) },
      yAxis: { type: 'value', axisLabel: { formatter: fmt } },
      series: [
        {
          name: 'This period',
          type: 'line',
          connectNulls: true,
          data: current.map((p) => p.value),
          markLine: rules.length
            ? { symbol: 'none', label: { formatter: (p: { value: number }) => `alert ${fmt(p.value)}` }, lineStyle: { color: '#c62828', type: 'dashed' }, data: rules.map((r) => ({ yAxis: r.threshold, name: r.name })) }
            : undefined,
        },
        // The previous period drawn on the same days-since-start axis, for comparison.
        { name: 'Previous period', type: 'line', connectNulls: true, lineStyle: { type: 'dotted' }, data: previous.slice(-current.length).map((p) => p.value) },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [cur.data, prev.data, rules, metric]);
  return (
    <Card title={label} id={`chart-${metric}`}>
      <Load state={cur} what={`${label} series`}>
        {(s) => (
          <>
            <div ref={el} className="chart" role="img" aria-label={`${label} by ${bucket}, ${s.data.length} points, with the previous period dotted${rules.length ? ` and the alert threshold ${rules.map((r) => `${r.comparator} ${formatMetric(metric, r.threshold)}`).join(', ')} dashed` : ''}`} />
            {rules.length === 0 && <p className="muted">No alert threshold set for this metric (add one below).</p>}
          </>
        )}
      </Load>
    </Card>
  );
}

// Rates are typed as percentages and stored as fractions; speed to lead in minutes, stored in seconds; revenue in dollars, stored in cents.
const toValue = (m: string, t: string) => (rates.has(m) ? Number(t) / 100 : m === 'speedToLead' ? Number(t) * 60 : m === 'automationRevenue' ? Number(t) * 100 : Number(t));
const fromValue = (m: string, v: number) => String(Math.round((rates.has(m) ? v * 100 : m === 'speedToLead' ? v / 60 : m === 'automationRevenue' ? v / 100 : v) * 100) / 100);
const unitOf = (m: string) => (rates.has(m) ? '%' : m === 'speedToLead' ? 'minutes' : m === 'automationRevenue' ? '$' : m === 'reviewVelocity' ? 'reviews per week' : '');

/** What a threshold input may hold, or why not: a number, and a rate between 0 and 100%. */
function thresholdProblem(m: string, t: string): string | null {
  if (t.trim() === '' || !Number.isFinite(Number(t))) return 'Enter a number.';
  if (rates.has(m) && (Number(t) < 0 || Number(t) > 100)) return 'A rate is between 0 and 100%.';
  if (Number(t) < 0) return 'Enter a number of at least 0.';
  return null;
}

function AlertRules({ rules }: { rules: { data?: { data: AlertRule[] }; error?: Error; loading: boolean; reload: () => void } }) {
  const [metric, setMetric] = useState('answerRate');
  const [comparator, setComparator] = useState<'below' | 'above'>('below');
  const [threshold, setThreshold] = useState('80');
  const [windowDays, setWindowDays] = useState('7');
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const manage = can('alerts.manage');
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      rules.reload();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const problem = thresholdProblem(metric, threshold);
  const unit = unitOf(metric);
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (problem) return;
    void run(() => post('/alert-rules', { metric, comparator, threshold: toValue(metric, threshold), windowDays: Number(windowDays) }));
  };
  return (
    <Card title="Alert thresholds">
      <Load state={rules} what="Alert rules">
        {(r) => (
          <ul className="list" data-testid="alert-rules">
            {r.data.map((x) => (
              <li key={x.id} className="item" data-testid="alert-rule">
                {editing === x.id ? (
                  <RuleForm rule={x} onCancel={() => setEditing(null)} onSave={async (body) => { if (await run(() => patch(`/alert-rules/${x.id}`, body))) setEditing(null); }} />
                ) : (
                  <>
                    <div className="grow">
                      <strong>{labelOf(x.metric)}</strong> {x.comparator} {formatMetric(x.metric, x.threshold)} over {x.windowDays} days
                      {x.state === 'breached' && x.enabled && <span className="tag danger">breached</span>}
                      {!x.enabled && <span className="tag">off</span>}
                      {x.lastValue !== undefined && x.lastValue !== null && <span className="muted"> · now {formatMetric(x.metric, x.lastValue)}</span>}
                    </div>
                    {manage && (
                      <div className="actions">
                        <label className="switch"><input type="checkbox" checked={x.enabled} onChange={() => run(() => patch(`/alert-rules/${x.id}`, { enabled: !x.enabled }))} aria-label={`${labelOf(x.metric)} alert on`} /> On</label>
                        <button className="secondary" onClick={() => setEditing(x.id)} aria-label={`Edit the ${labelOf(x.metric)} alert`}>Edit</button>
                        <button className="secondary" onClick={() => run(() => del(`/alert-rules/${x.id}`))} aria-label={`Delete the ${labelOf(x.metric)} alert`}>Delete</button>
                      </div>
                    )}
                  </>
                )}
              </li>
            ))}
            {r.data.length === 0 && <li className="muted">No alert rules yet.</li>}
          </ul>
        )}
      </Load>
      {manage && (
        <form className="filters" onSubmit={add} aria-label="New alert rule">
          <div><label htmlFor="rule-metric">Metric</label><select id="rule-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>{allMetrics.map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select></div>
          <div><label htmlFor="rule-comparator">Alert when</label><select id="rule-comparator" value={comparator} onChange={(e) => setComparator(e.target.value as 'below' | 'above')}><option value="below">below</option><option value="above">above</option></select></div>
          <div>
            <label htmlFor="rule-threshold">Threshold{unit && ` (${unit})`}</label>
            <input id="rule-threshold" type="number" step="any" min={0} max={rates.has(metric) ? 100 : undefined} value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-invalid={Boolean(problem)} aria-describedby="rule-threshold-problem" />
            {problem && <p className="error" id="rule-threshold-problem">{problem}</p>}
          </div>
          <div><label htmlFor="rule-window">Over the last (days)</label><input id="rule-window" type="number" min={1} max={365} value={windowDays} onChange={(e) => setWindowDays(e.target.value)} /></div>
          <div><button type="submit" disabled={Boolean(problem)}>Add alert</button></div>
        </form>
      )}
      <ErrorNote error={error} />
    </Card>
  );
}

/** One rule's comparator, threshold (in the unit people read) and window, saved with PATCH /alert-rules/:id. */
function RuleForm({ rule, onSave, onCancel }: { rule: AlertRule; onSave: (body: { comparator: string; threshold: number; windowDays: number }) => void; onCancel: () => void }) {
  const [comparator, setComparator] = useState(rule.comparator);
  const [threshold, setThreshold] = useState(fromValue(rule.metric, rule.threshold));
  const [windowDays, setWindowDays] = useState(String(rule.windowDays));
  const problem = thresholdProblem(rule.metric, threshold);
  const unit = unitOf(rule.metric);
  const base = `rule-${rule.id}`;
  return (
    <form
      className="filters grow"
      aria-label={`Edit the ${labelOf(rule.metric)} alert`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) onSave({ comparator, threshold: toValue(rule.metric, threshold), windowDays: Number(windowDays) });
      }}
    >
      <strong className="grow">{labelOf(rule.metric)}</strong>
      <div><label htmlFor={`${base}-comparator`}>Alert when</label><select id={`${base}-comparator`} value={comparator} onChange={(e) => setComparator(e.target.value as 'below' | 'above')}><option value="below">below</option><option value="above">above</option></select></div>
      <div>
        <label htmlFor={`${base}-threshold`}>Threshold{unit && ` (${unit})`}</label>
        <input id={`${base}-threshold`} type="number" step="any" min={0} value={threshold} onChange={(e) => setThreshold(e.target.value)} aria-invalid={Boolean(problem)} />
        {problem && <p className="error">{problem}</p>}
      </div>
      <div><label htmlFor={`${base}-window`}>Over the last (days)</label><input id={`${base}-window`} type="number" min={1} max={365} value={windowDays} onChange={(e) => setWindowDays(e.target.value)} /></div>
      <div className="actions">
        <button type="submit" disabled={Boolean(problem)}>Save</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
