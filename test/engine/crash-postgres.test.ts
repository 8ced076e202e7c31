import { runsOn } from '../helpers/db.ts';
import { crashSuite } from './crash-suite.ts';

if (runsOn('postgres')) crashSuite({ name: 'postgres', workers: 4 });
