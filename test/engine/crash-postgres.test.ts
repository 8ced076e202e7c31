import { crashSuite } from './crash-suite.ts';

crashSuite({ name: 'postgres', workers: 4 });
