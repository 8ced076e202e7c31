import { Link } from 'react-router';
import { useApi } from '../hooks.ts';
import { can } from '../permissions.ts';
import { Card } from '../ui.tsx';

interface Step { key: string; title: string; done: boolean; where: string; detail: string }
interface Checklist { done: number; total: number; steps: Step[] }

/** Today's first-run checklist (GET /setup), for owners and managers until every step is done. */
export function SetupChecklist() {
  const state = useApi<Checklist>(can('business.settings') ? '/setup' : null);
  const c = state.data;
  if (!c || c.done === c.total) return null;
  return (
    <Card title={`Set up Kinetic: ${c.done} of ${c.total} done`} id="setup">
      <p className="muted">What Kinetic needs before it can answer, route and book by itself. Each step ticks itself when it is done.</p>
      <ol className="list" data-testid="setup-steps">
        {c.steps.map((s) => (
          <li key={s.key} className={s.done ? 'muted' : ''}>
            <span aria-hidden="true">{s.done ? '✓' : '○'}</span> <span className="sr-only">{s.done ? 'Done:' : 'To do:'}</span>{' '}
            {s.done ? s.title : <Link to={s.where}>{s.title}</Link>} <span className="muted">— {s.detail}</span>
          </li>
        ))}
      </ol>
    </Card>
  );
}
