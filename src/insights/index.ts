export { computeMetrics, metricsFor, metricsFromQuery, metricNames, type MetricName, type MetricsReport } from './metrics.ts';
export { metricSeries } from './series.ts';
export { automationFunnel, funnelFromQuery } from './funnel.ts';
export { calculateLeak, leakDefaults, leakInputNames, resolveLeakInputs, type LeakInputs, type LeakReport } from './leak.ts';
export { leakFromData } from './leak-from-data.ts';
export { dismissException, listExceptions, restoreException } from './exceptions.ts';
export { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from './alerts/rules.ts';
export { evaluateDueAlerts } from './alerts/evaluate.ts';
