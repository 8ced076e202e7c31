import { runsOn } from '../helpers/db.ts';
import { crashSuite } from './crash-suite.ts';

if (runsOn('sqlite')) crashSuite({ name: 'sqlite', workers: 1 });
